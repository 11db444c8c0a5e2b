import { ApiError, messageOf } from '../api/problem';

/** A failed request, as the server explained it (ProblemDetails title and detail, field errors listed). */
export function ErrorNotice({ error, title }: { error: unknown; title?: string }) {
  if (!error) {
    return null;
  }
  const api = error instanceof ApiError ? error : null;
  const fields = api ? Object.entries(api.fieldErrors) : [];
  return (
    <div className="notice notice-error" role="alert">
      <strong>{title ?? api?.title ?? 'Something went wrong'}</strong>
      <span> {api ? (api.detail ?? '') : messageOf(error)}</span>
      {fields.length > 0 && (
        <ul>
          {fields.map(([field, messages]) => (
            <li key={field}>
              {field}: {messages.join(' ')}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
