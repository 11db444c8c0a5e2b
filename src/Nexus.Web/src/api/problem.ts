/** An RFC 9457 problem as the Nexus API answers every error (ASP.NET Core ProblemDetails). */
export interface ProblemDetails {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  /** Field → messages, on a 400 ValidationProblem. */
  errors?: Record<string, string[]>;
  [extension: string]: unknown;
}

/** A failed request, carrying what the server said so that the UI can show it word for word. */
export class ApiError extends Error {
  readonly status: number;
  readonly title: string;
  readonly detail: string | undefined;
  readonly fieldErrors: Record<string, string[]>;
  readonly problem: ProblemDetails | undefined;

  constructor(status: number, problem: ProblemDetails | undefined, fallback: string) {
    const title = problem?.title?.trim() || fallback;
    const detail = problem?.detail?.trim() || undefined;
    super(detail ?? title);
    this.name = 'ApiError';
    this.status = status;
    this.title = title;
    this.detail = detail;
    this.fieldErrors = normaliseFieldErrors(problem?.errors);
    this.problem = problem;
  }

  /** The first message for a form field, matched case-insensitively (the API answers in camelCase). */
  fieldError(field: string): string | undefined {
    const key = Object.keys(this.fieldErrors).find((k) => k.toLowerCase() === field.toLowerCase());
    return key ? this.fieldErrors[key][0] : undefined;
  }

  /** Every message, field errors included, for a place that shows one line (a toast). */
  get summary(): string {
    const fields = Object.values(this.fieldErrors).flat();
    if (fields.length > 0) {
      return `${this.detail ?? this.title} ${fields.join(' ')}`;
    }
    return this.detail ?? this.title;
  }
}

function normaliseFieldErrors(errors: unknown): Record<string, string[]> {
  if (!errors || typeof errors !== 'object') {
    return {};
  }
  const result: Record<string, string[]> = {};
  for (const [field, messages] of Object.entries(errors as Record<string, unknown>)) {
    const list = Array.isArray(messages) ? messages.filter((m): m is string => typeof m === 'string') : [String(messages)];
    if (list.length > 0) {
      result[field] = list;
    }
  }
  return result;
}

const statusTitles: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  409: 'Conflict',
  413: 'Too large',
  415: 'Unsupported media type',
  423: 'Locked',
  429: 'Too many requests',
  500: 'Server error',
  502: 'Bad gateway',
  503: 'Service unavailable',
};

/** Reads a failed response into an ApiError; a body that is not a problem still yields a readable message. */
export async function errorFromResponse(response: Response): Promise<ApiError> {
  const fallback = statusTitles[response.status] ?? `Request failed (HTTP ${response.status})`;
  let problem: ProblemDetails | undefined;
  const type = response.headers.get('content-type') ?? '';
  try {
    if (type.includes('json')) {
      const body: unknown = await response.json();
      if (body && typeof body === 'object') {
        problem = body as ProblemDetails;
      }
    } else {
      const text = (await response.text()).trim();
      if (text.length > 0 && text.length < 500 && !text.startsWith('<')) {
        problem = { title: fallback, detail: text };
      }
    }
  } catch {
    // An unreadable body: the status line is all there is.
  }
  if (response.status === 429 && !problem?.detail) {
    const retry = response.headers.get('retry-after');
    problem = { ...problem, detail: retry ? `Too many attempts. Try again in ${retry} seconds.` : 'Too many attempts. Try again later.' };
  }
  return new ApiError(response.status, problem, fallback);
}

/** A request that never got an answer (server down, network gone). */
export function networkError(cause: unknown): ApiError {
  const error = new ApiError(0, { title: 'Network error', detail: 'The server could not be reached. Check the connection and try again.' }, 'Network error');
  (error as { cause?: unknown }).cause = cause;
  return error;
}

/** A readable message for any error the UI catches. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError) {
    return error.summary;
  }
  if (error instanceof Error) {
    return error.message;
  }
  return String(error);
}
