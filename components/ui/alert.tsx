import type { ReactNode } from "react";

const tones = {
  error: "border-red-300 bg-red-50 text-red-900 dark:border-red-900/70 dark:bg-red-950/50 dark:text-red-100",
  warning: "border-amber-300 bg-amber-50 text-amber-900 dark:border-amber-900/70 dark:bg-amber-950/40 dark:text-amber-100",
  info: "border-blue-200 bg-blue-50 text-blue-900 dark:border-blue-900/70 dark:bg-blue-950/40 dark:text-blue-100",
} as const;

/**
 * A message box. `role="alert"` for errors the user must notice now, `role="status"` otherwise.
 */
export function Alert({ tone = "error", title, children, role, id, className = "" }: {
  tone?: keyof typeof tones;
  title?: ReactNode;
  children?: ReactNode;
  role?: "alert" | "status";
  id?: string;
  className?: string;
}) {
  return (
    <div id={id} role={role ?? (tone === "error" ? "alert" : "status")} className={`rounded-md border px-4 py-3 text-sm ${tones[tone]} ${className}`}>
      {title && <p className="font-semibold">{title}</p>}
      {children && <div className={title ? "mt-1" : ""}>{children}</div>}
    </div>
  );
}
