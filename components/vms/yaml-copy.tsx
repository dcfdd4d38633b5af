"use client";

import { useTranslations } from "next-intl";
import { useEffect, useState } from "react";
import { buttonClass } from "@/components/ui/styles";

/**
 * A Copy button for a text: the Clipboard API (secure contexts: https or loopback), and a status
 * line that says whether it worked (announced politely). Where the browser refuses, the status
 * asks the user to select and copy the text by hand.
 */
export function CopyButton({ text, label }: { text: string; label?: string }) {
  const t = useTranslations("VmYaml");
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  useEffect(() => {
    if (state !== "copied") return;
    const timer = setTimeout(() => setState("idle"), 3000);
    return () => clearTimeout(timer);
  }, [state]);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setState("copied");
    } catch {
      setState("failed");
    }
  };
  return (
    <span className="inline-flex items-center gap-2">
      <button type="button" className={buttonClass("secondary", "sm")} onClick={() => void copy()}>{label ?? t("copy")}</button>
      <span role="status" className="text-xs text-zinc-600 dark:text-zinc-400">
        {state === "copied" ? t("copied") : state === "failed" ? t("copyFailed") : ""}
      </span>
    </span>
  );
}

/** Saves a text as a file through the browser's download (a Blob URL, revoked right after). */
export function downloadText(fileName: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: "application/yaml" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
