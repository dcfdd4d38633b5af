"use client";

import { useEffect, useRef, type RefObject } from "react";

/**
 * Keeps the keyboard focus inside a group of controls when the control holding it is disabled or
 * removed by a re-render, e.g. the Stop button once the VM stopped. The browser would drop the
 * focus on `<body>`, and a keyboard or screen-reader user would start over at the top of the page.
 *
 * After every render, if the focus was last inside the group (and the user did not click or move
 * elsewhere since) but now sits on `<body>` or on a disabled control, it goes to the group's first
 * enabled button, or to the group itself (give it `tabIndex={-1}` and a name) while every button
 * is disabled; from there it moves on to the first button that becomes enabled again.
 */
export function useFocusRescue(ref: RefObject<HTMLElement | null>): void {
  const hadFocus = useRef(false);

  useEffect(() => {
    const group = ref.current;
    if (!group) return;
    const onFocusIn = () => {
      hadFocus.current = true;
    };
    // A focus that moved to another element left on purpose; a null target (disabled, removed) did not.
    const onFocusOut = (e: FocusEvent) => {
      if (e.relatedTarget instanceof Node && !group.contains(e.relatedTarget)) hadFocus.current = false;
    };
    const onPointerDown = (e: PointerEvent) => {
      if (!(e.target instanceof Node) || !group.contains(e.target)) hadFocus.current = false;
    };
    group.addEventListener("focusin", onFocusIn);
    group.addEventListener("focusout", onFocusOut);
    document.addEventListener("pointerdown", onPointerDown);
    return () => {
      group.removeEventListener("focusin", onFocusIn);
      group.removeEventListener("focusout", onFocusOut);
      document.removeEventListener("pointerdown", onPointerDown);
    };
  }, [ref]);

  useEffect(() => {
    const group = ref.current;
    if (!group || !hadFocus.current) return;
    const active = document.activeElement;
    const firstEnabled = group.querySelector<HTMLElement>("button:not([disabled])");
    if (active === group) {
      firstEnabled?.focus();
      return;
    }
    const lost = !active || active === document.body || (group.contains(active) && active.matches(":disabled"));
    if (lost) (firstEnabled ?? group).focus();
  });
}
