/**
 * A toolbar action a protocol child registers with the console page (the parent renders the
 * toolbar, so both protocols share one toolbar, one state display and one keyboard order).
 */
export interface ConsoleAction {
  id: string;
  label: string;
  onSelect: () => void;
  disabled?: boolean;
  /** a toggle's state (rendered with aria-pressed) */
  pressed?: boolean;
  /** a longer explanation (tooltip) */
  hint?: string;
}

/** How a child hands its actions to the page; called again whenever they change. */
export type RegisterActions = (actions: ConsoleAction[]) => void;
