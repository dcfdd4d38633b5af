/**
 * Types next-intl's keys and locales from the English messages, so a missing or misspelt key is a
 * compile error (next-intl `AppConfig` augmentation).
 */
import type messages from "../../messages/en.json";
import type { Locale } from "./config";

declare module "next-intl" {
  interface AppConfig {
    Locale: Locale;
    Messages: typeof messages;
  }
}
