/**
 * Shared class lists of the design system (Tailwind): one accent colour (blue), neutral zinc
 * greys, visible focus rings. Plain strings so links, buttons and inputs can share them.
 */

/** Visual variants of a button or button-like link. */
export type ButtonVariant = "primary" | "secondary" | "danger" | "ghost";

const base =
  "inline-flex items-center justify-center gap-2 rounded-md text-sm font-medium whitespace-nowrap transition-colors " +
  "focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600 dark:focus-visible:outline-blue-400 " +
  "disabled:cursor-not-allowed disabled:opacity-50";

const variants: Record<ButtonVariant, string> = {
  primary: "bg-blue-600 text-white shadow-sm hover:bg-blue-700 dark:hover:bg-blue-500",
  secondary:
    "border border-zinc-300 bg-white text-zinc-800 shadow-sm hover:bg-zinc-50 " +
    "dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100 dark:hover:bg-zinc-800",
  danger: "bg-red-600 text-white shadow-sm hover:bg-red-700 dark:hover:bg-red-500",
  ghost: "text-zinc-700 hover:bg-zinc-100 dark:text-zinc-300 dark:hover:bg-zinc-800",
};

const sizes = { sm: "h-8 px-3", md: "h-9 px-4" } as const;

/** Classes of a button (or a link that looks like one). */
export function buttonClass(variant: ButtonVariant = "secondary", size: keyof typeof sizes = "md"): string {
  return `${base} ${variants[variant]} ${sizes[size]}`;
}

/** Classes of text inputs, selects and textareas; `aria-invalid` turns the border red. */
export const inputClass =
  "block w-full rounded-md border border-zinc-300 bg-white px-3 py-2 text-sm text-zinc-900 shadow-sm " +
  "placeholder:text-zinc-400 focus:border-blue-600 focus:outline-2 focus:outline-offset-0 focus:outline-blue-600/30 " +
  "aria-invalid:border-red-600 aria-invalid:focus:outline-red-600/30 disabled:opacity-60 " +
  "dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100 dark:placeholder:text-zinc-500 " +
  "dark:focus:border-blue-400 dark:aria-invalid:border-red-400";

/** Classes of a compact select in the header. */
export const compactSelectClass =
  "h-8 rounded-md border border-zinc-300 bg-white pl-2 pr-7 text-sm text-zinc-800 " +
  "focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-blue-600 " +
  "dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100 dark:focus-visible:outline-blue-400";

/** Classes of a form label. */
export const labelClass = "block text-sm font-medium text-zinc-800 dark:text-zinc-200";

/** Classes of help text under a field. */
export const hintClass = "mt-1 text-xs text-zinc-500 dark:text-zinc-400";

/** Classes of an error message under a field. */
export const errorTextClass = "mt-1 text-xs font-medium text-red-700 dark:text-red-400";

/** Classes of a card/panel surface. */
export const panelClass = "rounded-lg border border-zinc-200 bg-white shadow-sm dark:border-zinc-800 dark:bg-zinc-900";
