import type { Metadata } from "next";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { getPrincipal, isOidcEnabled } from "@/lib/server/auth/auth";
import { SignInForm } from "@/components/signin/sign-in-form";
import { safeCallbackPath } from "@/lib/shared/callback-url";
import { expectedOrigin } from "@/lib/server/edge";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("SignIn");
  return { title: t("submit") };
}

/** `/signin` (next-auth's sign-in page): local accounts, and the OIDC button when configured. */
export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  const h = await headers();
  const portalOrigin = expectedOrigin({ host: h.get("host"), "x-forwarded-host": h.get("x-forwarded-host"), "x-forwarded-proto": h.get("x-forwarded-proto") });
  const callbackUrl = safeCallbackPath(first(params.callbackUrl), portalOrigin);
  if (await getPrincipal()) redirect(callbackUrl);
  return (
    <SignInForm
      callbackUrl={callbackUrl}
      oidcProviderName={isOidcEnabled() ? (process.env.OIDC_DISPLAY_NAME ?? "Keycloak") : null}
      initialError={first(params.error) ?? null}
    />
  );
}
