"use client";

import { useEffect, useRef } from "react";
import { basicSetup } from "codemirror";
import { Compartment, EditorState, type Extension } from "@codemirror/state";
import { EditorView } from "@codemirror/view";
import { yaml } from "@codemirror/lang-yaml";
import { lintGutter, linter, type Diagnostic } from "@codemirror/lint";
import { oneDark } from "@codemirror/theme-one-dark";

/** A diagnostic for the editor: a text range, a severity, a message in the user's language. */
export interface EditorProblem {
  from: number;
  to: number;
  severity: "error" | "warning";
  message: string;
}

/** Whether the page is dark (the `dark` class on <html>, set by the theme script and toggle). */
function isPageDark(): boolean {
  return document.documentElement.classList.contains("dark");
}

/** The light theme: the portal's zinc greys and blue focus, so the editor looks like the page's inputs. */
const lightTheme = EditorView.theme({
  "&": { backgroundColor: "#ffffff", color: "#18181b" },
  ".cm-gutters": { backgroundColor: "#fafafa", color: "#71717a", borderRight: "1px solid #e4e4e7" },
  ".cm-activeLine, .cm-activeLineGutter": { backgroundColor: "#f4f4f5" },
});

/** Both themes: size, font and the focus ring (CodeMirror's own outline is dotted and faint). */
const baseTheme = EditorView.theme({
  "&": { fontSize: "13px", minHeight: "16rem", maxHeight: "70vh", borderRadius: "0.375rem" },
  "&.cm-focused": { outline: "2px solid #2563eb", outlineOffset: "1px" },
  ".cm-scroller": { fontFamily: "ui-monospace, SFMono-Regular, Menlo, monospace", overflow: "auto" },
});

/**
 * A CodeMirror 6 YAML editor: highlighting, line numbers, undo, search, bracket matching, and
 * diagnostics in a lint gutter and under the text, from `lint` (run 250 ms after each change).
 * Its colours follow the page's theme (light, or One Dark when `<html>` has the `dark` class).
 *
 * Keyboard: Tab is not bound (CodeMirror does not indent on Tab unless `indentWithTab` is
 * added), so Tab and Shift+Tab leave the editor and focus is never trapped; Ctrl+] and Ctrl+[
 * (Cmd on macOS) indent and dedent the selection. Escape collapses a selection.
 *
 * @param value the text; a new value from the parent (e.g. a reload) replaces the document
 * @param onChange called with the text after each edit
 * @param lint the diagnostics of a text (must be cheap: it runs as the user types)
 * @param lintVersion change it to run `lint` again on the same text (e.g. a server refusal arrived)
 */
export function YamlEditor({ value, onChange, lint, lintVersion, label, describedBy }: {
  value: string;
  onChange: (text: string) => void;
  lint: (text: string) => EditorProblem[];
  lintVersion: number;
  label: string;
  describedBy?: string;
}) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const linting = useRef<{ compartment: Compartment; make: () => Extension } | null>(null);
  const onChangeRef = useRef(onChange);
  const lintRef = useRef(lint);
  useEffect(() => {
    onChangeRef.current = onChange;
    lintRef.current = lint;
  });

  useEffect(() => {
    if (!host.current) return;
    const theme = new Compartment();
    const themeFor = (dark: boolean) => (dark ? oneDark : lightTheme);
    const lintCompartment = new Compartment();
    const makeLinter = () => linter((v) => lintRef.current(v.state.doc.toString())
      .map((p): Diagnostic => ({ ...p, to: Math.min(p.to, v.state.doc.length) })), { delay: 250 });
    linting.current = { compartment: lintCompartment, make: makeLinter };
    const editor = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: value,
        extensions: [
          basicSetup,
          yaml(),
          lintGutter(),
          lintCompartment.of(makeLinter()),
          baseTheme,
          theme.of(themeFor(isPageDark())),
          EditorView.contentAttributes.of({ "aria-label": label, ...(describedBy ? { "aria-describedby": describedBy } : {}) }),
          EditorView.updateListener.of((u) => {
            if (u.docChanged) onChangeRef.current(u.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = editor;
    const observer = new MutationObserver(() => editor.dispatch({ effects: theme.reconfigure(themeFor(isPageDark())) }));
    observer.observe(document.documentElement, { attributes: true, attributeFilter: ["class"] });
    return () => {
      observer.disconnect();
      editor.destroy();
      view.current = null;
    };
    // created once; value changes are applied below, label and describedBy are fixed per editor
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    const editor = view.current;
    if (!editor || editor.state.doc.toString() === value) return;
    editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: value } });
  }, [value]);

  // A new linter instance is a configuration change, which makes CodeMirror lint the unchanged
  // text again (forceLinting only hurries a lint already pending after an edit).
  useEffect(() => {
    if (view.current && linting.current && lintVersion > 0) {
      view.current.dispatch({ effects: linting.current.compartment.reconfigure(linting.current.make()) });
    }
  }, [lintVersion]);

  return <div ref={host} className="overflow-hidden rounded-md border border-zinc-300 dark:border-zinc-700" />;
}
