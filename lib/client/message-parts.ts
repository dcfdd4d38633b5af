/**
 * Putting a React node (a link, a code span) inside a translated sentence without rich-text tags
 * in the catalogues (lib/i18n/messages.test.ts treats a tag in a message as a mistake): the
 * sentence is rendered whole with a marker as the placeholder's value, then split around it, so
 * translators keep the word order of their language.
 */

/** A value no message contains (a private-use character around a name). */
const marker = "\uE000placeholder\uE000";

/**
 * The text before and after one placeholder of a translated message.
 * @param render renders the message with the given string as the placeholder's value, e.g.
 *   `(v) => t("deleteBlocked", { vm: v })`
 * @returns `[before, after]`; when the translation lost the placeholder, the whole text and ""
 *   (the caller's node then follows the sentence)
 */
export function splitAtPlaceholder(render: (value: string) => string): [string, string] {
  const text = render(marker);
  const at = text.indexOf(marker);
  if (at < 0) return [text, ""];
  return [text.slice(0, at), text.slice(at + marker.length)];
}
