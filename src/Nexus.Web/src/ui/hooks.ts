import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api } from '../app/services';

/** The value once it stopped changing for `ms`. */
export function useDebounced<T>(value: T, ms = 300): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/**
 * An object URL for a tenant logo. The logo endpoint wants the bearer token, which an <img src> cannot send;
 * the URL carries the content hash, so the browser's HTTP cache keeps the bytes and the query never goes stale.
 */
export function useLogoUrl(logoUrl: string | null | undefined): string | null {
  const { data } = useQuery({
    queryKey: ['logo', logoUrl],
    queryFn: async () => (await api.settings.logo(logoUrl!)).blob,
    enabled: !!logoUrl,
    staleTime: Infinity,
  });
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    if (!data || !logoUrl) {
      setUrl(null);
      return;
    }
    const objectUrl = URL.createObjectURL(data);
    setUrl(objectUrl);
    return () => URL.revokeObjectURL(objectUrl);
  }, [data, logoUrl]);
  return url;
}

/** Moves focus to the page's heading after navigation, so screen readers announce the new page. */
export function useFocusHeading(ref: React.RefObject<HTMLElement | null>, key: unknown) {
  useEffect(() => {
    ref.current?.focus();
  }, [ref, key]);
}
