"use client";

import { usePathname } from "next/navigation";
import { useEffect, useId, useRef, useState, type ReactNode } from "react";
import { buttonClass } from "@/components/ui/styles";

/**
 * The header's menu button for narrow screens (below Tailwind's `md`, 768 px) and the panel it
 * opens (disclosure pattern: `aria-expanded`, `aria-controls`). The panel holds what the wide header
 * shows in its bar: the navigation, the tenant picker, the language and theme switches, sign-out.
 *
 * Closed, the panel is `hidden` (out of the layout and of the accessibility tree), so the wide
 * header's links stay the only ones with their names. The menu closes on Escape (the focus goes
 * back to the button), on a click outside it, when one of its links is followed, and whenever the
 * path changes (it is open only for the path it was opened on). From `md` up neither the button
 * nor the panel is shown.
 */
export function HeaderMenu({ label, children }: { label: string; children: ReactNode }) {
  const pathname = usePathname();
  // The path the menu was opened on: a navigation closes it without an effect.
  const [openOn, setOpenOn] = useState<string | null>(null);
  const open = openOn === pathname;
  const buttonRef = useRef<HTMLButtonElement>(null);
  const panelRef = useRef<HTMLDivElement>(null);
  const panelId = useId();

  useEffect(() => {
    if (!open) return;
    const inside = (node: EventTarget | null) =>
      node instanceof Node && (panelRef.current?.contains(node) || buttonRef.current?.contains(node));
    const onKeyDown = (e: KeyboardEvent) => {
      // Only for the menu's own keys: an Escape meant for a dialog elsewhere is not ours.
      if (e.key !== "Escape" || !(inside(e.target) || e.target === document.body)) return;
      setOpenOn(null);
      buttonRef.current?.focus();
    };
    const onPointerDown = (e: PointerEvent) => {
      if (!inside(e.target)) setOpenOn(null);
    };
    document.addEventListener("keydown", onKeyDown);
    document.addEventListener("pointerdown", onPointerDown);
    return () => {
      document.removeEventListener("keydown", onKeyDown);
      document.removeEventListener("pointerdown", onPointerDown);
    };
  }, [open]);

  return (
    <>
      <button
        ref={buttonRef}
        type="button"
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpenOn(open ? null : pathname)}
        className={`${buttonClass("secondary", "sm")} ml-auto md:hidden`}
      >
        <svg aria-hidden="true" viewBox="0 0 20 20" className="size-4" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round">
          {open ? <path d="M5 5l10 10M15 5 5 15" /> : <path d="M3 5.5h14M3 10h14M3 14.5h14" />}
        </svg>
        {label}
      </button>
      <div
        ref={panelRef}
        id={panelId}
        hidden={!open}
        // Following a link closes the menu, also a link to the page already shown.
        onClick={(e) => {
          if (e.target instanceof Element && e.target.closest("a[href]")) setOpenOn(null);
        }}
        className="max-h-[calc(100dvh-4rem)] basis-full overflow-y-auto border-t border-zinc-200 md:hidden dark:border-zinc-800"
      >
        {children}
      </div>
    </>
  );
}
