/**
 * Colour theme: "system" (the default, follows `prefers-color-scheme`), "light" or "dark", kept in
 * localStorage. The `dark` class on <html> switches Tailwind's `dark:` variant; an inline script
 * in <head> ({@link themeInitScript}) sets it before the first paint so there is no flash.
 */

/** The theme choices, in the order the toggle shows them. */
export const themes = ["system", "light", "dark"] as const;

/** One theme choice. */
export type Theme = (typeof themes)[number];

/** localStorage key of the choice. */
export const themeStorageKey = "hikube-theme";

/** Whether `value` is a theme choice. */
export function isTheme(value: unknown): value is Theme {
  return typeof value === "string" && (themes as readonly string[]).includes(value);
}

/** The stored choice, "system" when none (or storage is unavailable). */
export function readTheme(): Theme {
  try {
    const v = window.localStorage.getItem(themeStorageKey);
    return isTheme(v) ? v : "system";
  } catch {
    return "system";
  }
}

/** Applies `theme` to <html> (class and color-scheme) without storing it. */
export function applyTheme(theme: Theme): void {
  const dark = theme === "dark" || (theme === "system" && window.matchMedia("(prefers-color-scheme: dark)").matches);
  const root = document.documentElement;
  root.classList.toggle("dark", dark);
  root.style.colorScheme = dark ? "dark" : "light";
}

/** Stores and applies `theme`. */
export function saveTheme(theme: Theme): void {
  try {
    if (theme === "system") window.localStorage.removeItem(themeStorageKey);
    else window.localStorage.setItem(themeStorageKey, theme);
  } catch {
    /* private mode: the choice lasts for this page only */
  }
  applyTheme(theme);
}

/** The script the root layout inlines in <head>: the same logic as {@link applyTheme}, self-contained. */
export const themeInitScript = `(function(){try{var t=localStorage.getItem(${JSON.stringify(themeStorageKey)});var d=t==="dark"||(t!=="light"&&window.matchMedia("(prefers-color-scheme: dark)").matches);var r=document.documentElement;r.classList.toggle("dark",d);r.style.colorScheme=d?"dark":"light";}catch(e){}})();`;
