"use client";

import { signIn } from "next-auth/react";
import { useTranslations } from "next-intl";
import { useState, type FormEvent } from "react";
import { LanguageSwitcher } from "@/components/shell/language-switcher";
import { MainLandmark } from "@/components/shell/main-landmark";
import { ThemeToggle } from "@/components/shell/theme-toggle";
import { Alert } from "@/components/ui/alert";
import { Spinner } from "@/components/ui/spinner";
import { buttonClass, inputClass, labelClass, panelClass } from "@/components/ui/styles";
import { parseSigninError } from "@/lib/shared/signin-errors";

/**
 * The sign-in form: local account (next-auth credentials provider `local`) and, when the server
 * says OIDC is configured, a button for provider `oidc`.
 * @param initialError next-auth's `error` query parameter (e.g. after a failed OIDC round trip)
 */
export function SignInForm({ callbackUrl, oidcProviderName, initialError }: {
  callbackUrl: string;
  oidcProviderName: string | null;
  initialError: string | null;
}) {
  const t = useTranslations("SignIn");
  /** next-auth's error code → the message in the user's language */
  const messageOf = (code: string | null | undefined): string | null => {
    const e = parseSigninError(code);
    if (!e) return null;
    if (e.kind === "wrongCredentials") return t("wrongCredentials");
    if (e.kind === "throttled") return t("throttled", { seconds: e.seconds });
    if (e.kind === "identityRefused") return t("identityRefused");
    return t("failed");
  };
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(messageOf(initialError));

  const onSubmit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (!username.trim() || !password) {
      setError(t("missing"));
      return;
    }
    setPending(true);
    setError(null);
    try {
      const result = await signIn("local", { redirect: false, username, password, callbackUrl });
      if (!result || result.error || !result.ok) {
        setError(messageOf(result?.error) ?? t("failed"));
        setPending(false);
        return;
      }
      // A full navigation, so every server component renders with the new session.
      window.location.assign(callbackUrl);
    } catch {
      setError(t("failed"));
      setPending(false);
    }
  };

  return (
    <div className="flex min-h-screen flex-col">
      <div className="flex flex-wrap justify-end gap-3 p-4">
        <LanguageSwitcher />
        <ThemeToggle />
      </div>
      <MainLandmark className="flex flex-1 items-start justify-center px-4 pt-[8vh] pb-16">
        <div className="w-full max-w-sm">
          <div className="mb-6 flex flex-col items-center text-center">
            <svg aria-hidden="true" viewBox="0 0 24 24" className="size-10 text-blue-600 dark:text-blue-400" fill="currentColor">
              <path d="M12 2 3 7v10l9 5 9-5V7l-9-5Zm0 2.3 6.8 3.8L12 11.9 5.2 8.1 12 4.3ZM5 9.8l6 3.4v6.6l-6-3.3V9.8Zm8 10v-6.6l6-3.4v6.7l-6 3.3Z" />
            </svg>
            <h1 className="mt-3 text-2xl font-semibold tracking-tight">{t("title")}</h1>
            <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">{t("subtitle")}</p>
          </div>
          <div className={`${panelClass} p-6`}>
            {/* method="post" to next-auth's credentials endpoint: before hydration or without
                JavaScript the browser posts the fields in the body, never in the URL. */}
            <form onSubmit={onSubmit} method="post" action="/api/auth/callback/local" className="space-y-4" noValidate>
              {error && <Alert tone="error">{error}</Alert>}
              <div>
                <label htmlFor="signin-username" className={labelClass}>{t("username")}</label>
                <input
                  id="signin-username"
                  name="username"
                  autoComplete="username"
                  autoCapitalize="none"
                  spellCheck={false}
                  required
                  autoFocus
                  value={username}
                  onChange={(e) => setUsername(e.target.value)}
                  className={`${inputClass} mt-1`}
                />
              </div>
              <div>
                <label htmlFor="signin-password" className={labelClass}>{t("password")}</label>
                <input
                  id="signin-password"
                  name="password"
                  type="password"
                  autoComplete="current-password"
                  required
                  value={password}
                  onChange={(e) => setPassword(e.target.value)}
                  className={`${inputClass} mt-1`}
                />
              </div>
              <button type="submit" className={`${buttonClass("primary")} w-full`} disabled={pending} aria-busy={pending}>
                {pending && <Spinner />}
                {t("submit")}
              </button>
            </form>
            {oidcProviderName && (
              <>
                <div className="my-5 flex items-center gap-3 text-xs uppercase tracking-wide text-zinc-500 dark:text-zinc-400">
                  <span className="h-px flex-1 bg-zinc-200 dark:bg-zinc-800" />
                  {t("or")}
                  <span className="h-px flex-1 bg-zinc-200 dark:bg-zinc-800" />
                </div>
                <button type="button" className={`${buttonClass("secondary")} w-full`} onClick={() => void signIn("oidc", { callbackUrl })}>
                  {t("oidc", { provider: oidcProviderName })}
                </button>
              </>
            )}
          </div>
        </div>
      </MainLandmark>
    </div>
  );
}
