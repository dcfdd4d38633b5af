"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { Alert } from "@/components/ui/alert";
import { Dialog } from "@/components/ui/dialog";
import { Spinner } from "@/components/ui/spinner";
import { buttonClass } from "@/components/ui/styles";
import { adminApi } from "@/lib/client/api";
import { adminKeys } from "@/lib/client/query-keys";
import type { AdminMember } from "@/lib/shared/admin";
import type { TenantRole } from "@/lib/shared/permissions";
import { useApiErrorMessage } from "@/lib/client/api-error-message";

/** A member change waiting for the admin's confirmation: a new level, or the removal. */
export type MemberChange =
  | { kind: "level"; member: AdminMember; to: TenantRole }
  | { kind: "remove"; member: AdminMember };

/**
 * Confirms a member change on the admin's tenant page, naming the user and the old and new level
 * (or the removal). Cancel has the focus when it opens; Tab stays in the dialog, Escape cancels and
 * the focus goes back to what opened it (components/ui/dialog.tsx). Errors stay in the dialog; on
 * success the member list is refreshed before it closes.
 * @param onDone called after the change was saved (the dialog is then closed by the caller)
 */
export function MemberChangeDialog({ tenant, change, onClose, onDone }: {
  tenant: string;
  change: MemberChange;
  onClose: () => void;
  onDone: (change: MemberChange) => void;
}) {
  const t = useTranslations("Admin");
  const errorMessage = useApiErrorMessage();
  const tRole = useTranslations("Roles");
  const queryClient = useQueryClient();
  const { username, level } = change.member;
  const mutation = useMutation({
    mutationFn: async () => {
      if (change.kind === "level") await adminApi.updateMember(tenant, username, change.to);
      else await adminApi.removeMember(tenant, username);
    },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: adminKeys.all }),
  });
  const isRemoval = change.kind === "remove";
  return (
    <Dialog
      open
      onClose={onClose}
      title={isRemoval ? t("removeConfirmTitle", { username, tenant }) : t("levelConfirmTitle", { username })}
      description={isRemoval
        ? t("removeConfirmBody", { username, tenant, level: tRole(level) })
        : t("levelConfirmBody", { username, tenant, from: tRole(level), to: tRole(change.to) })}
      initialFocus="[data-autofocus]"
    >
      <form
        className="space-y-4"
        onSubmit={(e) => {
          e.preventDefault();
          mutation.mutate(undefined, { onSuccess: () => onDone(change) });
        }}
      >
        {mutation.isError && <Alert tone="error">{errorMessage(mutation.error)}</Alert>}
        <div className="flex justify-end gap-2 pt-2">
          <button type="button" className={buttonClass("secondary")} onClick={onClose} data-autofocus>{t("cancel")}</button>
          <button type="submit" className={buttonClass(isRemoval ? "danger" : "primary")} disabled={mutation.isPending} aria-busy={mutation.isPending}>
            {mutation.isPending && <Spinner />}
            {isRemoval ? t("removeConfirm") : t("levelConfirm")}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
