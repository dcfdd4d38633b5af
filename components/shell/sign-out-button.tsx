"use client";

import { signOut } from "next-auth/react";
import { useTranslations } from "next-intl";
import { useState } from "react";
import { buttonClass } from "@/components/ui/styles";

/** Ends the session (next-auth) and returns to the sign-in page. */
export function SignOutButton() {
  const t = useTranslations("Header");
  const [pending, setPending] = useState(false);
  return (
    <button
      type="button"
      className={buttonClass("secondary", "sm")}
      disabled={pending}
      onClick={() => {
        setPending(true);
        void signOut({ callbackUrl: "/signin" });
      }}
    >
      {t("signOut")}
    </button>
  );
}
