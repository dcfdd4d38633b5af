"use client";

import { useLocale, useTranslations } from "next-intl";
import { inputClass } from "@/components/ui/styles";
import { byteUnitSymbol, parseQuantity, quantityPattern } from "@/lib/shared/quantity";

/** The units the size field offers (binary, as Kubernetes storage is usually written). */
export const sizeUnits = ["Mi", "Gi", "Ti"] as const;

/** A size as typed: an amount and a unit. */
export interface SizeValue {
  amount: string;
  unit: string;
}

/**
 * The quantity text (e.g. "20Gi") and bytes of a typed size, or null when it is not a positive
 * number. A decimal comma is read as a point ("1,5" is 1.5), as French writes it.
 */
export function sizeToQuantity(size: SizeValue): { text: string; bytes: number } | null {
  const amount = size.amount.trim().replace(",", ".");
  if (!/^\d+(\.\d+)?$/.test(amount)) return null;
  const text = `${amount}${size.unit}`;
  if (!quantityPattern.test(text)) return null;
  const bytes = parseQuantity(text);
  return bytes > 0 ? { text, bytes } : null;
}

/** Splits a quantity such as "20Gi" into the field's amount and unit (Gi when the unit is not offered). */
export function quantityToSize(quantity: string): SizeValue {
  const m = /^(\d+(?:\.\d+)?)(Mi|Gi|Ti)$/.exec(quantity);
  return m ? { amount: m[1], unit: m[2] } : { amount: String(Math.ceil(parseQuantity(quantity) / 2 ** 30)), unit: "Gi" };
}

/**
 * A number field with a unit select (MiB, GiB, TiB; Mio, Gio, Tio in French), labelled by
 * `labelledBy`.
 */
export function SizeInput({ value, onChange, labelledBy, describedBy, invalid, id }: {
  value: SizeValue;
  onChange: (v: SizeValue) => void;
  labelledBy: string;
  describedBy?: string;
  invalid?: boolean;
  id?: string;
}) {
  const t = useTranslations("Units");
  const locale = useLocale();
  return (
    <div className="mt-1 flex gap-2" role="group" aria-labelledby={labelledBy}>
      <input
        id={id}
        inputMode="decimal"
        value={value.amount}
        onChange={(e) => onChange({ ...value, amount: e.target.value })}
        aria-labelledby={labelledBy}
        aria-describedby={describedBy}
        aria-invalid={invalid || undefined}
        className={`${inputClass} w-28 font-mono`}
      />
      <select value={value.unit} onChange={(e) => onChange({ ...value, unit: e.target.value })} aria-label={t("unit")} className={`${inputClass} w-24`}>
        {sizeUnits.map((u) => <option key={u} value={u}>{byteUnitSymbol(u, locale)}</option>)}
      </select>
    </div>
  );
}
