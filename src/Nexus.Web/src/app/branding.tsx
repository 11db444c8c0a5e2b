import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { applyBranding, type BrandColours } from '../tenant/branding';

export interface Branding {
  tenantId: string;
  tenantName: string;
  colours: BrandColours | null;
  logoUrl: string | null;
}

const BrandingContext = createContext<{ branding: Branding | null; setBranding: (b: Branding | null) => void } | null>(null);

/** The open tenant's look, set by the tenant pages and read by the app's header; colours go on :root. */
export function BrandingProvider({ children }: { children: ReactNode }) {
  const [branding, setBranding] = useState<Branding | null>(null);
  useEffect(() => {
    applyBranding(document.documentElement, branding?.colours ?? null);
  }, [branding?.colours]);
  // Leaving the signed-in app (sign out) must not leave the last tenant's colours on the login page.
  useEffect(() => () => applyBranding(document.documentElement, null), []);
  return <BrandingContext.Provider value={{ branding, setBranding }}>{children}</BrandingContext.Provider>;
}

export function useBranding() {
  const value = useContext(BrandingContext);
  if (!value) {
    throw new Error('useBranding outside BrandingProvider');
  }
  return value;
}
