/** The server shapes of the API (Nexus.Host Servers and Stats). */

export interface ServerTrust {
  mode: 'pinned' | 'ca' | 'system';
  fingerprints: string[];
  caPem: string | null;
}

export interface Server {
  id: string;
  tenantId: string;
  name: string;
  host: string;
  port: number;
  secondaryHost: string | null;
  secondaryPort: number | null;
  tokenId: string | null;
  trust: ServerTrust;
  isActive: boolean;
  connectionTimeoutMs: number | null;
  pollIntervalSeconds: number | null;
}

export interface ServerInput {
  name?: string;
  host?: string;
  port?: number;
  apiToken?: string;
  trust?: { mode: string; fingerprints?: string[]; caPem?: string | null };
  secondaryHost?: string;
  secondaryPort?: number | null;
  isActive?: boolean;
  connectionTimeoutMs?: number;
  pollIntervalSeconds?: number;
}

export interface Certificate {
  fingerprint: string;
  subject: string;
  issuer: string;
  subjectAlternativeNames: string[];
  notBefore: string;
  notAfter: string;
}

export interface ProbedCertificate {
  host: string;
  port: number;
  leaf: Certificate;
  root: Certificate | null;
  trustedBySystem: boolean;
  systemTrustErrors: string;
}

export interface Connectivity {
  success: boolean;
  endpoint: string;
  connectionType: string;
  timing: { dnsMs: number | null; tcpConnectMs: number | null; tlsHandshakeMs: number | null; firstByteMs: number | null; totalMs: number };
  resolvedAddress: string | null;
  failedStage: string | null;
  error: string | null;
  httpStatus: number | null;
  proxmoxVersion: string | null;
  nodeCount: number | null;
  certificate: Certificate | null;
  recommendedTimeoutMs: number;
  currentTimeoutMs: number;
  latencySamples: number;
}

export interface ImportResult {
  created: number;
  failed: number;
  rows: { row: number; name: string | null; status: 'created' | 'failed'; error: string | null; serverId: string | null }[];
  ignoredColumns: string[];
}

export interface LearnedTimeout {
  endpoint: string;
  requestClass: string;
  timeoutMs: number;
  smoothedLatencyMs: number | null;
  samples: number;
}

export interface ServerMetrics {
  serverId: string;
  range: string;
  hours: { time: string; successRate: number | null; avgLatencyMs: number | null; attempts: number }[];
  summary: { attempts: number; successes: number; successRate: number | null; avgLatencyMs: number | null };
  timeouts: LearnedTimeout[];
}
