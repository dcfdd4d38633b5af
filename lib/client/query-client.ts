/**
 * The QueryClient factory. Client errors (4xx) are final, so they are never retried: retrying a
 * 401/403/404/422 only delays the message the user needs. Server and network errors are retried
 * twice with the default backoff.
 */
import { QueryClient } from "@tanstack/react-query";
import { ApiError } from "./api";

/** Whether a failed query should be tried again (`failureCount` counts the failures so far). */
export function shouldRetry(failureCount: number, error: unknown): boolean {
  if (error instanceof ApiError && error.status >= 400 && error.status < 500) return false;
  return failureCount < 2;
}

/** A QueryClient with the portal's defaults (one per browser tab). */
export function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { retry: shouldRetry, staleTime: 30_000, refetchOnWindowFocus: false },
      mutations: { retry: false },
    },
  });
}
