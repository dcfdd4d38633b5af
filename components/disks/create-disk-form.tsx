"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { useQuery } from "@tanstack/react-query";
import { useId, useRef, useState } from "react";
import { useTenant } from "@/components/shell/tenant-context";
import { Alert } from "@/components/ui/alert";
import { Spinner } from "@/components/ui/spinner";
import { buttonClass, errorTextClass, hintClass, inputClass, labelClass, panelClass } from "@/components/ui/styles";
import { useCatalogue } from "@/components/vms/use-vms";
import { fetchDisks, isApiError, uploadDiskFile } from "@/lib/client/api";
import { useFormat } from "@/lib/client/format";
import { useApiErrorMessage } from "@/lib/client/api-error-message";
import { diskKeys } from "@/lib/client/query-keys";
import { parseQuantity } from "@/lib/shared/quantity";
import {
  createDiskSchema, defaultStorageClass, diskSourceTypes, httpUrlSchema, quickPicks,
  type CreateDiskRequest, type DiskSourceType,
} from "@/lib/shared/disk";
import { diskNameMaxLength } from "@/lib/shared/vm";
import { ProgressBar } from "./disk-phase";
import { SizeInput, quantityToSize, sizeToQuantity, type SizeValue } from "./size-input";
import { useCreateDisk, useStorageClasses } from "./use-disks";

type Field = "name" | "source" | "url" | "image" | "clone" | "file" | "size" | "storageClass";

/** The form control a server field path belongs to. */
function fieldOfPath(path: string | undefined): Field | null {
  if (!path) return null;
  if (path === "name") return "name";
  if (path.startsWith("source.http")) return "url";
  if (path.startsWith("source.image")) return "image";
  if (path.startsWith("source.disk")) return "clone";
  if (path.startsWith("source")) return "source";
  if (path === "storage") return "size";
  if (path === "storageClass") return "storageClass";
  return null;
}

type UploadState =
  | { state: "idle" }
  | { state: "uploading"; disk: string; sent: number; total: number }
  | { state: "failed"; disk: string; message: string }
  | { state: "cancelled"; disk: string };

/**
 * `/t/{tenant}/disks/new`: one source at a time (URL with the documented quick picks, golden
 * image, clone, upload, blank), optical flag, size with units (not below the source's minimum),
 * storage class from the cluster. An upload creates the disk, then sends the file through the
 * portal with a progress bar and a cancel button.
 */
export function CreateDiskForm() {
  const tenant = useTenant();
  const t = useTranslations("CreateDisk");
  const format = useFormat();
  const errorMessage = useApiErrorMessage();
  const router = useRouter();
  const ids = useId();
  const id = (f: string) => `${ids}-${f}`;
  const catalogue = useCatalogue(tenant.name);
  const classes = useStorageClasses(tenant.name);
  const disks = useQuery({ queryKey: diskKeys.list(tenant.name), queryFn: ({ signal }) => fetchDisks(tenant.name, signal), staleTime: 10_000 });
  const mutation = useCreateDisk(tenant.name);

  const [name, setName] = useState("");
  const [source, setSource] = useState<DiskSourceType>("http");
  const [url, setUrl] = useState("");
  const [pick, setPick] = useState<string | null>(null);
  const [image, setImage] = useState("");
  const [clone, setClone] = useState("");
  const [file, setFile] = useState<File | null>(null);
  const [optical, setOptical] = useState(false);
  const [size, setSize] = useState<SizeValue>({ amount: "20", unit: "Gi" });
  const [storageClass, setStorageClass] = useState<string | null>(null);
  const [submitted, setSubmitted] = useState(false);
  const [serverError, setServerError] = useState<{ field: Field | null; message: string } | null>(null);
  const [upload, setUpload] = useState<UploadState>({ state: "idle" });
  const abortRef = useRef<AbortController | null>(null);

  if (!tenant.can("disk.create")) {
    return <Alert tone="info" title={t("notAllowedTitle")}>{t("notAllowedBody")}</Alert>;
  }

  const chosenClass = storageClass ?? classes.data?.find((c) => c.isDefault)?.name ?? defaultStorageClass;
  const images = catalogue.data?.images ?? [];
  const chosenImage = image || images[0] || "";
  const cloneable = disks.data ?? [];
  const chosenClone = clone || cloneable[0]?.name || "";
  const quantity = sizeToQuantity(size);

  // The smallest size the chosen source allows (the server checks images itself).
  let minimum: { bytes: number; what: string } | null = null;
  const pickInfo = quickPicks.find((p) => p.id === pick && p.url === url.trim());
  if (source === "http" && pickInfo) minimum = { bytes: parseQuantity(pickInfo.minStorage), what: pickInfo.label };
  const imageBytes = catalogue.data?.imageBytes?.[chosenImage];
  if (source === "image" && imageBytes) minimum = { bytes: imageBytes, what: chosenImage };
  if (source === "disk") {
    const other = cloneable.find((d) => d.name === chosenClone);
    if (other) minimum = { bytes: other.storageBytes, what: other.name };
  }
  if (source === "upload" && file) minimum = { bytes: file.size, what: file.name };

  const problems: Partial<Record<Field, string>> = {};
  const nameCheck = createDiskSchema.shape.name.safeParse(name);
  if (!nameCheck.success) problems.name = t("errors.name", { max: diskNameMaxLength });
  if (source === "http" && !httpUrlSchema.safeParse(url).success) problems.url = t("errors.url");
  if (source === "image" && !chosenImage) problems.image = t("errors.image");
  if (source === "disk" && !chosenClone) problems.clone = t("errors.clone");
  if (source === "upload" && !file) problems.file = t("errors.file");
  if (!quantity) problems.size = t("errors.size");
  else if (minimum && quantity.bytes < minimum.bytes) problems.size = t("errors.sizeMin", { min: format.bytes(minimum.bytes), what: minimum.what });

  const errorOf = (f: Field) => (submitted && problems[f]) || (serverError?.field === f ? serverError.message : null);
  const fieldError = (f: Field) => {
    const m = errorOf(f);
    return m ? <p id={id(`${f}-error`)} className={errorTextClass}>{m}</p> : null;
  };
  const edited = (f: Field) => {
    if (serverError?.field === f) setServerError(null);
  };

  const startUpload = (disk: string, f: File) => {
    const ac = new AbortController();
    abortRef.current = ac;
    setUpload({ state: "uploading", disk, sent: 0, total: f.size });
    uploadDiskFile(tenant.name, disk, f, (sent, total) => setUpload({ state: "uploading", disk, sent, total }), ac.signal).then(
      () => router.push(`/t/${tenant.name}/disks`),
      (err: unknown) => {
        if (err instanceof DOMException && err.name === "AbortError") setUpload({ state: "cancelled", disk });
        else setUpload({ state: "failed", disk, message: errorMessage(err) });
      },
    );
  };

  const onSubmit = (e: React.FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    setServerError(null);
    const first = (Object.keys(problems) as Field[])[0];
    if (first) {
      document.getElementById(id(first))?.focus();
      return;
    }
    const request: CreateDiskRequest = {
      name,
      source: source === "http" ? { http: { url: url.trim() } }
        : source === "image" ? { image: { name: chosenImage } }
        : source === "disk" ? { disk: { name: chosenClone } }
        : source === "upload" ? { upload: {} }
        : {},
      optical,
      storage: quantity!.text,
      storageClass: chosenClass,
    };
    mutation.mutate(request, {
      onSuccess: (disk) => {
        if (source === "upload" && file) startUpload(disk.name, file);
        else router.push(`/t/${tenant.name}/disks`);
      },
      onError: (err) => {
        if (isApiError(err, 422)) {
          // next to its field, the problem is said without the field's path
          const field = fieldOfPath(err.field);
          setServerError({ field, message: errorMessage(err, { withoutField: field !== null }) });
        } else if (isApiError(err, 409)) setServerError({ field: "name", message: errorMessage(err) });
        else setServerError({ field: null, message: t("errors.failed", { message: errorMessage(err) }) });
      },
    });
  };

  const busy = mutation.isPending || upload.state === "uploading";
  const formError = serverError && !serverError.field ? serverError.message : null;

  return (
    <div className="mx-auto max-w-3xl space-y-6">
      <div>
        <Link href={`/t/${tenant.name}/disks`} className="text-sm font-medium text-blue-700 hover:underline dark:text-blue-400">{t("back")}</Link>
        <h1 className="mt-2 text-2xl font-semibold tracking-tight">{t("title")}</h1>
        <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">{t("subtitle", { tenant: tenant.displayName })}</p>
      </div>

      <form onSubmit={onSubmit} noValidate className="space-y-6" aria-busy={busy}>
        {formError && <Alert tone="error">{formError}</Alert>}

        <section className={`${panelClass} space-y-6 p-6`}>
          <div>
            <label htmlFor={id("name")} className={labelClass}>{t("name")}</label>
            <input id={id("name")} value={name} disabled={busy} onChange={(e) => { setName(e.target.value); edited("name"); }}
              autoComplete="off" spellCheck={false} placeholder="data-1" aria-invalid={Boolean(errorOf("name"))}
              aria-describedby={`${id("name-hint")}${errorOf("name") ? ` ${id("name-error")}` : ""}`} className={`${inputClass} mt-1 font-mono`} />
            <p id={id("name-hint")} className={hintClass}>{t("nameHint", { max: diskNameMaxLength })}</p>
            {fieldError("name")}
          </div>

          <fieldset id={id("source")} tabIndex={-1}>
            <legend className={labelClass}>{t("source")}</legend>
            <div className="mt-2 flex flex-wrap gap-x-5 gap-y-2 text-sm">
              {diskSourceTypes.map((s) => (
                <label key={s} className="flex items-center gap-2">
                  <input type="radio" name="source" value={s} checked={source === s} disabled={busy}
                    onChange={() => { setSource(s); edited("source"); if (s === "upload" && file?.name.toLowerCase().endsWith(".iso")) setOptical(true); }} />
                  {t(`sources.${s}`)}
                </label>
              ))}
            </div>
            <p className={hintClass}>{t(`sourceHints.${source}`)}</p>
            {fieldError("source")}
          </fieldset>

          {source === "http" && (
            <div className="space-y-3">
              <div>
                <span className={labelClass} id={id("picks-label")}>{t("quickPicks")}</span>
                <div className="mt-2 flex flex-wrap gap-2" role="group" aria-labelledby={id("picks-label")}>
                  {quickPicks.map((p) => (
                    <button key={p.id} type="button" disabled={busy} aria-pressed={pick === p.id && url === p.url}
                      className={`${buttonClass(pick === p.id && url === p.url ? "primary" : "secondary", "sm")}`}
                      onClick={() => {
                        setPick(p.id);
                        setUrl(p.url);
                        edited("url");
                        const min = parseQuantity(p.minStorage);
                        if (!quantity || quantity.bytes < min) setSize(quantityToSize(p.minStorage));
                      }}>
                      {p.label}
                      <span className="text-xs opacity-75">{t("minSize", { size: format.bytes(parseQuantity(p.minStorage)) })}</span>
                    </button>
                  ))}
                </div>
              </div>
              <div>
                <label htmlFor={id("url")} className={labelClass}>{t("url")}</label>
                <input id={id("url")} type="url" value={url} disabled={busy} onChange={(e) => { setUrl(e.target.value); edited("url"); }}
                  placeholder="https://…/image.qcow2" spellCheck={false} aria-invalid={Boolean(errorOf("url"))}
                  aria-describedby={errorOf("url") ? id("url-error") : undefined} className={`${inputClass} mt-1 font-mono`} />
                {fieldError("url")}
              </div>
            </div>
          )}

          {source === "image" && (
            <div>
              <label htmlFor={id("image")} className={labelClass}>{t("image")}</label>
              <select id={id("image")} value={chosenImage} disabled={busy} onChange={(e) => { setImage(e.target.value); edited("image"); }}
                aria-invalid={Boolean(errorOf("image"))} className={`${inputClass} mt-1`}>
                {images.map((i) => <option key={i} value={i}>{i}</option>)}
              </select>
              {fieldError("image")}
            </div>
          )}

          {source === "disk" && (
            <div>
              <label htmlFor={id("clone")} className={labelClass}>{t("clone")}</label>
              <select id={id("clone")} value={chosenClone} disabled={busy} onChange={(e) => { setClone(e.target.value); edited("clone"); }}
                aria-invalid={Boolean(errorOf("clone"))} className={`${inputClass} mt-1`}>
                {cloneable.map((d) => <option key={d.name} value={d.name}>{`${d.name} (${format.bytes(d.storageBytes)})`}</option>)}
              </select>
              {cloneable.length === 0 && <p className={hintClass}>{t("noDiskToClone")}</p>}
              {fieldError("clone")}
            </div>
          )}

          {source === "upload" && (
            <div>
              <label htmlFor={id("file")} className={labelClass}>{t("file")}</label>
              <input id={id("file")} type="file" accept=".iso,.img,.qcow2,.raw,.vmdk,.vdi,.vhd,.vhdx,.xz,.gz" disabled={busy}
                onChange={(e) => {
                  const f = e.target.files?.[0] ?? null;
                  setFile(f);
                  if (f?.name.toLowerCase().endsWith(".iso")) setOptical(true);
                  if (f && (!quantity || quantity.bytes < f.size)) setSize({ amount: String(Math.max(1, Math.ceil(f.size / 2 ** 30))), unit: "Gi" });
                }}
                aria-invalid={Boolean(errorOf("file"))} className="mt-1 block text-sm" />
              {file && <p className={hintClass}>{t("fileInfo", { name: file.name, size: format.bytes(file.size) })}</p>}
              {fieldError("file")}
            </div>
          )}

          <label className="flex items-start gap-2 text-sm">
            <input type="checkbox" checked={optical} disabled={busy} onChange={(e) => setOptical(e.target.checked)} className="mt-0.5 size-4" />
            <span>
              <span className="font-medium">{t("optical")}</span>
              <span className="block text-xs text-zinc-500 dark:text-zinc-400">{t("opticalHint")}</span>
            </span>
          </label>

          <div className="grid gap-6 sm:grid-cols-2">
            <div>
              <span id={id("size-label")} className={labelClass}>{t("size")}</span>
              <SizeInput id={id("size")} value={size} onChange={(v) => { setSize(v); edited("size"); }} labelledBy={id("size-label")}
                describedBy={errorOf("size") ? id("size-error") : id("size-hint")} invalid={Boolean(errorOf("size"))} />
              <p id={id("size-hint")} className={hintClass}>{minimum ? t("sizeHintMin", { min: format.bytes(minimum.bytes), what: minimum.what }) : t("sizeHint")}</p>
              {fieldError("size")}
            </div>
            <div>
              <label htmlFor={id("storageClass")} className={labelClass}>{t("storageClass")}</label>
              <select id={id("storageClass")} value={chosenClass} disabled={busy} onChange={(e) => { setStorageClass(e.target.value); edited("storageClass"); }}
                aria-invalid={Boolean(errorOf("storageClass"))} className={`${inputClass} mt-1`}>
                {(classes.data ?? [{ name: defaultStorageClass, isDefault: true }]).map((c) => (
                  <option key={c.name} value={c.name}>{c.isDefault ? t("defaultClass", { name: c.name }) : c.name}</option>
                ))}
              </select>
              <p className={hintClass}>{classes.data?.find((c) => c.name === chosenClass)?.description ?? ""} {t("storageClassHint")}</p>
              {fieldError("storageClass")}
            </div>
          </div>
        </section>

        {upload.state === "uploading" && (
          <section className={`${panelClass} p-6`} aria-live="polite">
            <p className="text-sm font-medium">{t("uploading", { name: upload.disk })}</p>
            <ProgressBar value={upload.total ? (upload.sent / upload.total) * 100 : null} label={t("uploadProgress")} />
            <p className={hintClass}>{t("uploadedBytes", { sent: format.bytes(upload.sent), total: format.bytes(upload.total) })}</p>
            <button type="button" className={`${buttonClass("secondary", "sm")} mt-3`} onClick={() => abortRef.current?.abort()}>{t("cancelUpload")}</button>
          </section>
        )}
        {upload.state === "failed" && (
          <Alert tone="error" title={t("uploadFailed")}>
            <p>{upload.message}</p>
            <p className="mt-1">{t("uploadRetryHint", { name: upload.disk })}</p>
            {file && <button type="button" className={`${buttonClass("secondary", "sm")} mt-2`} onClick={() => startUpload(upload.disk, file)}>{t("retryUpload")}</button>}
          </Alert>
        )}
        {upload.state === "cancelled" && (
          <Alert tone="warning" title={t("uploadCancelled")}>
            <p>{t("uploadRetryHint", { name: upload.disk })}</p>
            {file && <button type="button" className={`${buttonClass("secondary", "sm")} mt-2`} onClick={() => startUpload(upload.disk, file)}>{t("retryUpload")}</button>}
          </Alert>
        )}

        {upload.state === "idle" && (
          <div className="flex justify-end gap-3">
            <Link href={`/t/${tenant.name}/disks`} className={buttonClass("secondary")}>{t("cancel")}</Link>
            <button type="submit" className={buttonClass("primary")} disabled={busy}>
              {busy && <Spinner />}
              {t("submit")}
            </button>
          </div>
        )}
      </form>
    </div>
  );
}
