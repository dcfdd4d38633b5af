"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { useEffect, useId, useRef, useState, type ReactNode } from "react";
import { useAnnounce } from "@/components/shell/live-announcer";
import { useTenant } from "@/components/shell/tenant-context";
import { Alert } from "@/components/ui/alert";
import { Skeleton } from "@/components/ui/skeleton";
import { Spinner } from "@/components/ui/spinner";
import { buttonClass, errorTextClass, hintClass, inputClass, labelClass, panelClass } from "@/components/ui/styles";
import { useStickyInset } from "@/components/ui/use-sticky-inset";
import { useQuery } from "@tanstack/react-query";
import { fetchQuota, isApiError } from "@/lib/client/api";
import { useFormat } from "@/lib/client/format";
import { useApiErrorMessage } from "@/lib/client/api-error-message";
import { fieldProblemError, issueProblem } from "@/lib/shared/api-errors";
import { quotaKeys } from "@/lib/client/query-keys";
import {
  initialRootDisk, rootDiskForImage, rootDiskForImageSource, rootDiskForProfile, rootDiskForUrlSource, rootDiskNote,
  type RootDiskChoice, type RootDiskUpdate,
} from "@/lib/client/root-disk-defaults";
import { findQuotaExcess } from "@/lib/shared/quota";
import { parseQuantity, quantityPattern } from "@/lib/shared/quantity";
import {
  createVmSchema, preferenceMismatch, resourcesCpu, rootDiskSuffix, runStrategies, vmNameMaxLength, vmResourcesSchema,
  type Catalogue, type CreateVmRequest, type InstanceTypeInfo, type PreferenceInfo, type VmResources,
} from "@/lib/shared/vm";
import {
  checkCloudInitText, checkName, checkSize, checkSshKeys, checkUrl, fieldOfPath, formFields, parsePorts, parseSshKeys,
  type FieldId, type Problem,
} from "./create-vm-validation";
import { rememberCreatedVm } from "./created-vm";
import { ExtraDisksPicker, isDiskSize } from "./extra-disks-picker";
import { InstanceTypePicker } from "./instance-type-picker";
import { useCatalogue, useCreateVm } from "./use-vms";

type RunStrategy = (typeof runStrategies)[number];

/**
 * `/t/{tenant}/vms/new`: loads the catalogue, checks the role, then shows the form. Members who
 * cannot create VMs get an explanation instead.
 */
export function CreateVmForm() {
  const tenant = useTenant();
  const t = useTranslations("CreateVm");
  const tRole = useTranslations("Roles");
  const errorMessage = useApiErrorMessage();
  const catalogue = useCatalogue(tenant.name);

  let body: ReactNode;
  if (!tenant.can("vm.create")) {
    body = (
      <Alert tone="info" title={t("notAllowedTitle")}>
        <p>{t("notAllowedBody", { role: tRole(tenant.role), tenant: tenant.displayName })}</p>
      </Alert>
    );
  } else if (catalogue.isError) {
    body = <Alert tone="error" title={t("catalogueError")}>{errorMessage(catalogue.error)}</Alert>;
  } else if (!catalogue.data) {
    body = <FormSkeleton label={t("loadingCatalogue")} />;
  } else {
    body = <CreateVmFields tenant={tenant.name} catalogue={catalogue.data} />;
  }

  return (
    <div className="mx-auto max-w-5xl space-y-6">
      <div>
        <Link href={`/t/${tenant.name}/vms`} className="text-sm font-medium text-blue-700 hover:underline dark:text-blue-400">
          {t("back")}
        </Link>
        <h1 className="mt-2 text-2xl font-semibold tracking-tight">{t("title")}</h1>
        <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">{t("subtitle", { tenant: tenant.displayName })}</p>
      </div>
      {body}
    </div>
  );
}

const preferred = <T extends { name: string }>(items: T[], name: string): T | undefined => items.find((i) => i.name === name) ?? items[0];

/**
 * The form itself, once the catalogue is known (defaults come from it). Its Create/Cancel bar is
 * sticky at the bottom and reports its height ({@link useStickyInset}), so a focused field is
 * never scrolled under it. Once created, the live region says so and the VM list focuses the new
 * VM's row.
 */
function CreateVmFields({ tenant, catalogue }: { tenant: string; catalogue: Catalogue }) {
  const t = useTranslations("CreateVm");
  // sizes and quota amounts in the page's language ("4 GiB", "4 Gio")
  const { bytes: formatBytes, quota: formatQuotaAmount } = useFormat();
  const errorMessage = useApiErrorMessage();
  const router = useRouter();
  const announce = useAnnounce();
  const mutation = useCreateVm(tenant);
  const barRef = useRef<HTMLDivElement>(null);
  useStickyInset(barRef, "bottom");
  const ids = useId();
  const id = (field: string) => `${ids}-${field}`;

  const [name, setName] = useState("");
  const [instanceType, setInstanceType] = useState(() => preferred(catalogue.instanceTypes, "u1.medium")?.name ?? "");
  // Sized by an instance type, or by hand (the VMInstance's `resources`: cores per socket × sockets, memory).
  const [sizing, setSizing] = useState<"type" | "custom">("type");
  const [custom, setCustom] = useState({ cores: "2", sockets: "1", memory: "4Gi" });
  const [profile, setProfile] = useState(() => preferred(catalogue.preferences, "ubuntu")?.name ?? "");
  const [sourceType, setSourceType] = useState<"image" | "http">(catalogue.images.length > 0 ? "image" : "http");
  // The golden image and size follow the OS profile until the user picks or types them (lib/client/root-disk-defaults.ts).
  const [rootDisk, setRootDisk] = useState<RootDiskChoice>(() => initialRootDisk(preferred(catalogue.preferences, "ubuntu")?.name ?? "", catalogue));
  const { image, size } = rootDisk;
  // Set when a change raised a typed size to the new image's minimum, until the size is edited again.
  const [raised, setRaised] = useState<{ size: string; image: string } | null>(null);
  const [url, setUrl] = useState("");
  const [sshKeys, setSshKeys] = useState("");
  const [cloudInit, setCloudInit] = useState("");
  const [external, setExternal] = useState(false);
  const [ports, setPorts] = useState("22");
  const [runStrategy, setRunStrategy] = useState<RunStrategy>("Always");
  const [dataDisks, setDataDisks] = useState<string[]>([]);
  const [extraDisks, setExtraDisks] = useState<string[]>([]);
  const [touched, setTouched] = useState<ReadonlySet<FieldId>>(new Set());
  const [submitted, setSubmitted] = useState(false);
  const [serverError, setServerError] = useState<{ field: FieldId | null; message: string } | null>(null);

  const customResources = parseCustomSize(custom);
  const selectedType: InstanceTypeInfo | undefined = sizing === "custom"
    ? customResources ? { name: "resources", series: "", seriesDisplayName: "", ratio: "", cpu: resourcesCpu(customResources), memoryBytes: parseQuantity(customResources.memory) } : undefined
    : catalogue.instanceTypes.find((x) => x.name === instanceType);
  const selectedProfile: PreferenceInfo | undefined = catalogue.preferences.find((p) => p.name === profile);
  const mismatch = selectedType && selectedProfile ? preferenceMismatch(selectedType, selectedProfile) : null;
  const amount = (resource: "cpu" | "memory", n: number) => (resource === "cpu" ? t("vcpu", { count: n }) : formatBytes(n));

  const quota = useQuery({ queryKey: quotaKeys.detail(tenant), queryFn: ({ signal }) => fetchQuota(tenant, signal) });
  const tQuota = useTranslations("Quota");
  const noRoom = new Map<string, string>();
  if (quota.data?.limits) {
    for (const type of catalogue.instanceTypes) {
      const [excess] = findQuotaExcess(quota.data.limits, quota.data.usage, { cpuMillicores: type.cpu * 1000, memoryBytes: type.memoryBytes, vmCount: 1 });
      if (excess) {
        noRoom.set(type.name, tQuota("noRoom", { resource: tQuota(`resources.${excess.resource}`), remaining: formatQuotaAmount(excess.resource, excess.remaining) }));
      }
    }
  }

  const tooSmall = new Set(selectedProfile ? catalogue.instanceTypes.filter((x) => preferenceMismatch(x, selectedProfile)).map((x) => x.name) : []);
  const parsedPorts = parsePorts(ports);
  const parsedKeys = parseSshKeys(sshKeys);

  const problems: Partial<Record<FieldId, Problem>> = {};
  const nameProblem = checkName(name);
  if (nameProblem) problems.name = nameProblem;
  if (!selectedType) problems.instanceType = { key: sizing === "custom" ? "customInvalid" : "typeRequired" };
  if (!selectedProfile) problems.profile = { key: "profileRequired" };
  if (sourceType === "image" && !image) problems.image = { key: "imageRequired" };
  if (sourceType === "http") {
    const p = checkUrl(url);
    if (p) problems.url = p;
  }
  const sizeProblem = checkSize(size);
  if (sizeProblem) problems.size = sizeProblem;
  const imageMinimum = sourceType === "image" ? catalogue.imageBytes?.[image] : undefined;
  if (!sizeProblem && imageMinimum && parseQuantity(size.trim()) < imageMinimum) {
    problems.size = { key: "sizeBelowImage", values: { min: formatBytes(imageMinimum), image } };
  }
  const sshProblem = checkSshKeys(sshKeys);
  if (sshProblem) problems.sshKeys = sshProblem;
  const cloudInitProblem = checkCloudInitText(cloudInit);
  if (cloudInitProblem) problems.cloudInit = cloudInitProblem;
  if (external && parsedPorts.problem) problems.ports = parsedPorts.problem;

  /** The error text shown under `field`: the client check once touched, else the server's answer. */
  const errorOf = (field: FieldId): string | null => {
    const p = problems[field];
    if (p && (submitted || touched.has(field))) return t(`errors.${p.key}` as "errors.raw", p.values as { message: string });
    if (serverError?.field === field) return serverError.message;
    return null;
  };

  /** Applies a root disk change, remembering whether it raised a typed size. */
  const updateRootDisk = ({ choice, raisedTo }: RootDiskUpdate) => {
    setRootDisk(choice);
    setRaised(raisedTo ? { size: raisedTo, image: choice.image } : null);
  };
  const note = sourceType === "image" ? rootDiskNote(rootDisk, profile, catalogue) : null;
  const profileName = selectedProfile?.displayName ?? profile;

  /** Records an edit: marks the field touched and clears the server's error about it. */
  const edited = (field: FieldId) => {
    if (!touched.has(field)) setTouched(new Set(touched).add(field));
    if (serverError?.field === field) setServerError(null);
  };

  /** Focuses a field's control (for the instance types, the checked radio). */
  const focusField = (field: FieldId) => {
    const el = document.getElementById(id(field));
    if (field === "instanceType") (el?.querySelector<HTMLElement>("input:checked") ?? el?.querySelector<HTMLElement>("input"))?.focus();
    else el?.focus();
  };

  // A server error about a field moves the focus there (after it rendered).
  useEffect(() => {
    if (serverError?.field) focusField(serverError.field);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- only when a new server error arrives
  }, [serverError]);

  const request: CreateVmRequest = {
    name,
    ...(sizing === "custom" && customResources ? { instanceType: "", resources: customResources } : { instanceType }),
    instanceProfile: profile,
    rootDisk: {
      source: sourceType === "image" ? { type: "image", name: image } : { type: "http", url: url.trim() },
      storage: size.trim(),
    },
    sshKeys: parsedKeys.keys,
    cloudInit,
    external,
    ...(external ? { externalPorts: parsedPorts.ports } : {}),
    runStrategy,
    dataDisks: dataDisks.map((storage) => ({ storage: storage.trim() })),
    disks: extraDisks,
  };

  const onSubmit = (e: React.FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    setSubmitted(true);
    setServerError(null);
    const firstInvalid = formFields.find((f) => problems[f]);
    if (firstInvalid) {
      focusField(firstInvalid);
      return;
    }
    if (mismatch) {
      focusField("profile");
      return;
    }
    if (dataDisks.some((d) => !isDiskSize(d))) return;
    const parsed = createVmSchema.safeParse(request);
    if (!parsed.success) {
      const problem = issueProblem(parsed.error.issues[0]);
      setServerError({ field: fieldOfPath(problem.field), message: errorMessage(fieldProblemError(problem)) });
      return;
    }
    mutation.mutate(request, {
      onSuccess: (vm) => {
        announce(t("created", { name: vm.name }));
        rememberCreatedVm(tenant, vm.name);
        router.push(`/t/${tenant}/vms`);
      },
      onError: (err) => {
        if (isApiError(err, 409)) {
          setServerError({ field: "name", message: errorMessage(err) });
        } else if (isApiError(err, 422)) {
          // Shown under its field, a field problem is said without the field's path ("is not…").
          const field = fieldOfPath(err.field);
          const detail = errorMessage(err, { withoutField: field !== null });
          let message = detail.charAt(0).toUpperCase() + detail.slice(1);
          const index = /^sshKeys\.(\d+)$/.exec(err.field ?? "");
          if (index) message = t("errors.sshKeyServer", { line: parsedKeys.lines[Number(index[1])] ?? Number(index[1]) + 1, message: detail });
          setServerError({ field, message });
        } else if (isApiError(err, 401)) {
          setServerError({ field: null, message: t("errors.session") });
        } else if (isApiError(err, 403)) {
          setServerError({ field: null, message: t("errors.forbidden", { message: errorMessage(err) }) });
        } else if (isApiError(err, 503)) {
          setServerError({ field: null, message: t("errors.unavailable", { message: errorMessage(err) }) });
        } else {
          setServerError({ field: null, message: t("errors.failed", { message: errorMessage(err) }) });
        }
      },
    });
  };

  /** aria-describedby of a field: its hint and, when shown, its error. */
  const describedBy = (field: FieldId, hint = true) => [hint ? id(`${field}-hint`) : null, errorOf(field) ? id(`${field}-error`) : null].filter(Boolean).join(" ") || undefined;
  const fieldError = (field: FieldId) => {
    const message = errorOf(field);
    return message ? <p id={id(`${field}-error`)} className={errorTextClass}>{message}</p> : null;
  };
  const pending = mutation.isPending;
  const formError = serverError && !serverError.field ? serverError.message : null;

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-6" aria-busy={pending}>
      {formError && <Alert tone="error">{formError}</Alert>}

      <Section title={t("sectionGeneral")}>
        <div className="grid gap-6 md:grid-cols-2">
          <div>
            <label htmlFor={id("name")} className={labelClass}>{t("name")}</label>
            <input
              id={id("name")}
              name="name"
              value={name}
              onChange={(e) => {
                setName(e.target.value);
                edited("name");
              }}
              onBlur={() => edited("name")}
              autoComplete="off"
              spellCheck={false}
              placeholder="web-1"
              aria-invalid={Boolean(errorOf("name"))}
              aria-describedby={describedBy("name")}
              className={`${inputClass} mt-1 font-mono`}
            />
            <p id={id("name-hint")} className={hintClass}>
              {t("nameHint", { max: vmNameMaxLength, length: name.length })}
            </p>
            {fieldError("name")}
          </div>
          <div>
            <label htmlFor={id("runStrategy")} className={labelClass}>{t("runStrategy")}</label>
            <select
              id={id("runStrategy")}
              value={runStrategy}
              onChange={(e) => {
                setRunStrategy(e.target.value as RunStrategy);
                edited("runStrategy");
              }}
              aria-describedby={describedBy("runStrategy")}
              aria-invalid={Boolean(errorOf("runStrategy"))}
              className={`${inputClass} mt-1`}
            >
              {runStrategies.map((s) => (
                <option key={s} value={s}>{t(`runStrategies.${s}.label`)}</option>
              ))}
            </select>
            <p id={id("runStrategy-hint")} className={hintClass}>{t(`runStrategies.${runStrategy}.help`)}</p>
            {fieldError("runStrategy")}
          </div>
        </div>
      </Section>

      <Section title={<span id={id("instanceType-label")}>{t("instanceType")}</span>} description={<span id={id("instanceType-hint")}>{t("instanceTypeHint")}</span>}>
        <div role="radiogroup" aria-label={t("sizing")} className="mb-4 flex flex-wrap gap-4 text-sm">
          {(["type", "custom"] as const).map((v) => (
            <label key={v} className="inline-flex items-center gap-2">
              <input type="radio" name={id("sizing")} checked={sizing === v} onChange={() => { setSizing(v); edited("instanceType"); }} />
              {t(v === "type" ? "sizingType" : "sizingCustom")}
            </label>
          ))}
        </div>
        {sizing === "custom" ? (
          <div id={id("instanceType")} className="grid max-w-xl grid-cols-1 gap-4 sm:grid-cols-3">
            {(["cores", "sockets", "memory"] as const).map((f) => (
              <div key={f}>
                <label htmlFor={id(`custom-${f}`)} className={labelClass}>{t(`custom.${f}`)}</label>
                <input id={id(`custom-${f}`)} className={`${inputClass} mt-1`} value={custom[f]} inputMode={f === "memory" ? "text" : "numeric"}
                  aria-invalid={Boolean(errorOf("instanceType"))} aria-describedby={describedBy("instanceType")}
                  onChange={(e) => { setCustom({ ...custom, [f]: e.target.value }); edited("instanceType"); }} />
              </div>
            ))}
            <p className={`${hintClass} sm:col-span-3`}>
              {customResources ? t("custom.total", { cpu: resourcesCpu(customResources), memory: formatBytes(parseQuantity(customResources.memory)) }) : t("custom.hint")}
            </p>
          </div>
        ) : (
        <div id={id("instanceType")}>
          <InstanceTypePicker
            types={catalogue.instanceTypes}
            value={instanceType}
            onChange={(v) => {
              setInstanceType(v);
              edited("instanceType");
            }}
            labelId={id("instanceType-label")}
            describedBy={describedBy("instanceType")}
            invalid={Boolean(errorOf("instanceType"))}
            tooSmall={tooSmall}
            profileName={selectedProfile?.displayName ?? ""}
            noRoom={noRoom}
          />
        </div>
        )}
        {fieldError("instanceType")}
      </Section>

      <Section title={t("sectionSystem")}>
        <div className="grid gap-6 md:grid-cols-2">
          <div>
            <label htmlFor={id("profile")} className={labelClass}>{t("profile")}</label>
            <select
              id={id("profile")}
              value={profile}
              onChange={(e) => {
                setProfile(e.target.value);
                const update = rootDiskForProfile(rootDisk, e.target.value, catalogue);
                // With a URL source only the image (used if the user goes back to it) follows; the size is the user's.
                if (sourceType === "image") updateRootDisk(update);
                else setRootDisk({ ...rootDisk, image: update.choice.image });
                edited("profile");
              }}
              aria-invalid={Boolean(mismatch || errorOf("profile"))}
              aria-describedby={[id("profile-hint"), mismatch ? id("profile-mismatch") : null, errorOf("profile") ? id("profile-error") : null].filter(Boolean).join(" ")}
              className={`${inputClass} mt-1`}
            >
              {groupByOs(catalogue.preferences).map(([os, prefs]) => (
                <optgroup key={os} label={os === "linux" ? "Linux" : os === "windows" ? "Windows" : os}>
                  {prefs.map((p) => {
                    const m = selectedType ? preferenceMismatch(selectedType, p) : null;
                    return (
                      <option key={p.name} value={p.name}>
                        {m ? `${p.displayName} ${t("needs", { amount: amount(m.resource, m.required) })}` : p.displayName}
                      </option>
                    );
                  })}
                </optgroup>
              ))}
            </select>
            <p id={id("profile-hint")} className={hintClass}>{t("profileHint")}</p>
            {mismatch && selectedType && selectedProfile && (
              <p id={id("profile-mismatch")} className={errorTextClass} role="alert">
                {t(mismatch.resource === "cpu" ? "mismatchCpu" : "mismatchMemory", {
                  profile: selectedProfile.displayName,
                  required: amount(mismatch.resource, mismatch.required),
                  type: selectedType.name,
                  offered: amount(mismatch.resource, mismatch.offered),
                })}
              </p>
            )}
            {fieldError("profile")}
          </div>

          <fieldset>
            <legend className={labelClass}>{t("rootDisk")}</legend>
            <div className="mt-2 flex flex-wrap gap-x-4 gap-y-2 text-sm">
              <label className="flex items-center gap-2">
                <input
                  type="radio"
                  name="rootDiskSource"
                  value="image"
                  checked={sourceType === "image"}
                  disabled={catalogue.images.length === 0}
                  onChange={() => {
                    setSourceType("image");
                    updateRootDisk(rootDiskForImageSource(rootDisk, catalogue));
                  }}
                  className="size-4 accent-blue-600"
                />
                {t("sourceImage")}
              </label>
              <label className="flex items-center gap-2">
                <input
                  type="radio"
                  name="rootDiskSource"
                  value="http"
                  checked={sourceType === "http"}
                  onChange={() => {
                    setSourceType("http");
                    updateRootDisk({ choice: rootDiskForUrlSource(rootDisk) });
                  }}
                  className="size-4 accent-blue-600"
                />
                {t("sourceUrl")}
              </label>
            </div>
            {note && (
              // Rendered whenever the source is an image, so a change of its text is announced.
              <p id={id("rootDisk-note")} role="status" className="mt-2 text-xs text-zinc-600 dark:text-zinc-400">
                {[
                  note.follows && <span key="follows">{t(`follow.${note.follows}`, { profile: profileName, image })}</span>,
                  note.noImage && <span key="noImage" className="font-medium text-amber-800 dark:text-amber-300">{t("follow.noImage", { profile: profileName })}</span>,
                  raised && <span key="raised" className="font-medium">{t("follow.raised", { size: formatBytes(parseQuantity(raised.size)), image: raised.image })}</span>,
                ].filter(Boolean).flatMap((sentence, i) => (i === 0 ? [sentence] : [" ", sentence]))}
              </p>
            )}
            {sourceType === "image" ? (
              <div className="mt-3">
                <label htmlFor={id("image")} className={labelClass}>{t("image")}</label>
                <select
                  id={id("image")}
                  value={image}
                  onChange={(e) => {
                    updateRootDisk(rootDiskForImage(rootDisk, e.target.value, profile, catalogue));
                    edited("image");
                  }}
                  aria-invalid={Boolean(errorOf("image"))}
                  aria-describedby={[describedBy("image"), id("rootDisk-note")].filter(Boolean).join(" ")}
                  className={`${inputClass} mt-1`}
                >
                  {catalogue.images.map((img) => <option key={img} value={img}>{img}</option>)}
                </select>
                <p id={id("image-hint")} className={hintClass}>{t("imageHint")}</p>
                {fieldError("image")}
              </div>
            ) : (
              <div className="mt-3">
                <label htmlFor={id("url")} className={labelClass}>{t("url")}</label>
                <input
                  id={id("url")}
                  type="url"
                  inputMode="url"
                  value={url}
                  onChange={(e) => {
                    setUrl(e.target.value);
                    edited("url");
                  }}
                  onBlur={() => edited("url")}
                  placeholder="https://cloud-images.ubuntu.com/noble/current/noble-server-cloudimg-amd64.img"
                  spellCheck={false}
                  aria-invalid={Boolean(errorOf("url"))}
                  aria-describedby={describedBy("url")}
                  className={`${inputClass} mt-1 font-mono text-xs`}
                />
                <p id={id("url-hint")} className={hintClass}>{t("urlHint")}</p>
                {fieldError("url")}
              </div>
            )}
            <div className="mt-3">
              <label htmlFor={id("size")} className={labelClass}>{t("size")}</label>
              <input
                id={id("size")}
                value={size}
                onChange={(e) => {
                  setRootDisk({ ...rootDisk, size: e.target.value, sizeTyped: true });
                  setRaised(null);
                  edited("size");
                }}
                spellCheck={false}
                aria-invalid={Boolean(errorOf("size"))}
                aria-describedby={[describedBy("size"), note ? id("rootDisk-note") : null].filter(Boolean).join(" ")}
                className={`${inputClass} mt-1 w-40 font-mono`}
              />
              <p id={id("size-hint")} className={hintClass}>
                {t("sizeHint", { disk: `${name || "<name>"}${rootDiskSuffix}` })}
              </p>
              {fieldError("size")}
            </div>
          </fieldset>
        </div>
      </Section>

      <Section title={t("sectionDisks")} description={t("sectionDisksHint")}>
        <ExtraDisksPicker tenant={tenant} vmName={name} dataDisks={dataDisks} onDataDisks={setDataDisks} disks={extraDisks} onDisks={setExtraDisks} showErrors={submitted} />
      </Section>

      <Section title={t("sectionAccess")}>
        <div className="grid gap-6 md:grid-cols-2">
          <div>
            <label htmlFor={id("sshKeys")} className={labelClass}>{t("sshKeys")}</label>
            <textarea
              id={id("sshKeys")}
              value={sshKeys}
              onChange={(e) => {
                setSshKeys(e.target.value);
                edited("sshKeys");
              }}
              rows={5}
              spellCheck={false}
              placeholder="ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA… you@laptop"
              aria-invalid={Boolean(errorOf("sshKeys"))}
              aria-describedby={describedBy("sshKeys")}
              className={`${inputClass} mt-1 font-mono text-xs`}
            />
            <p id={id("sshKeys-hint")} className={hintClass}>{t("sshKeysHint", { count: parsedKeys.keys.length })}</p>
            {fieldError("sshKeys")}
          </div>
          <div>
            <label htmlFor={id("cloudInit")} className={labelClass}>{t("cloudInit")}</label>
            <textarea
              id={id("cloudInit")}
              value={cloudInit}
              onChange={(e) => {
                setCloudInit(e.target.value);
                edited("cloudInit");
              }}
              rows={5}
              spellCheck={false}
              placeholder={"#cloud-config\npackages:\n  - htop"}
              aria-invalid={Boolean(errorOf("cloudInit"))}
              aria-describedby={describedBy("cloudInit")}
              className={`${inputClass} mt-1 font-mono text-xs`}
            />
            <p id={id("cloudInit-hint")} className={hintClass}>{t("cloudInitHint")}</p>
            {fieldError("cloudInit")}
          </div>
          <div className="md:col-span-2">
            <label className="flex items-center gap-2 text-sm">
              <input
                type="checkbox"
                id={id("external")}
                checked={external}
                onChange={(e) => {
                  setExternal(e.target.checked);
                  edited("external");
                }}
                aria-describedby={id("external-hint")}
                className="size-4 rounded accent-blue-600"
              />
              <span className="font-medium text-zinc-800 dark:text-zinc-200">{t("external")}</span>
            </label>
            <p id={id("external-hint")} className={`${hintClass} ml-6`}>{t("externalHint")}</p>
            {external && (
              <div className="mt-3 ml-6 max-w-sm">
                <label htmlFor={id("ports")} className={labelClass}>{t("ports")}</label>
                <input
                  id={id("ports")}
                  value={ports}
                  onChange={(e) => {
                    setPorts(e.target.value);
                    edited("ports");
                  }}
                  inputMode="numeric"
                  spellCheck={false}
                  placeholder="22, 80, 443"
                  aria-invalid={Boolean(errorOf("ports"))}
                  aria-describedby={describedBy("ports")}
                  className={`${inputClass} mt-1 font-mono`}
                />
                <p id={id("ports-hint")} className={hintClass}>{t("portsHint")}</p>
                {fieldError("ports")}
              </div>
            )}
          </div>
        </div>
      </Section>

      <div ref={barRef} className={`${panelClass} sticky bottom-4 flex flex-wrap items-center justify-between gap-x-4 gap-y-2 px-4 py-3 sm:px-6 sm:py-4`}>
        <p className="min-w-0 text-sm break-words text-zinc-600 dark:text-zinc-400">
          {selectedType && (
            <>
              <span className="font-mono font-medium text-zinc-900 dark:text-zinc-100">{selectedType.name}</span>
              {` · ${t("typeResources", { cpu: selectedType.cpu, memory: formatBytes(selectedType.memoryBytes) })}`}
            </>
          )}
          {selectedProfile && ` · ${selectedProfile.displayName}`}
          {` · ${t("summaryDisk", { size: quantityPattern.test(size.trim()) ? formatBytes(parseQuantity(size.trim())) : size.trim() || "?" })}`}
        </p>
        <div className="flex flex-wrap items-center gap-3">
          {pending && <span role="status" className="text-sm text-zinc-600 dark:text-zinc-400">{t("creating")}</span>}
          <Link href={`/t/${tenant}/vms`} className={buttonClass("secondary")}>{t("cancel")}</Link>
          <button type="submit" className={buttonClass("primary")} disabled={pending || Boolean(mismatch)} aria-busy={pending}>
            {pending && <Spinner />}
            {t("submit")}
          </button>
        </div>
      </div>
    </form>
  );
}

/** Preferences grouped by OS type (Linux first, then Windows, then the rest), names in order. */
function groupByOs(prefs: PreferenceInfo[]): [string, PreferenceInfo[]][] {
  const groups = new Map<string, PreferenceInfo[]>();
  for (const p of [...prefs].sort((a, b) => a.displayName.localeCompare(b.displayName))) {
    groups.set(p.osType, [...(groups.get(p.osType) ?? []), p]);
  }
  const rank = (os: string) => (os === "linux" ? 0 : os === "windows" ? 1 : 2);
  return [...groups.entries()].sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b));
}

function Section({ title, description, children }: { title: ReactNode; description?: ReactNode; children: ReactNode }) {
  return (
    <section className={`${panelClass} p-4 sm:p-6`}>
      <h2 className="text-base font-semibold">{title}</h2>
      {description && <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">{description}</p>}
      <div className="mt-4">{children}</div>
    </section>
  );
}

function FormSkeleton({ label }: { label: string }) {
  return (
    <div className="space-y-6" aria-busy="true">
      <p role="status" className="sr-only">{label}</p>
      {[0, 1, 2].map((i) => (
        <div key={i} className={`${panelClass} space-y-4 p-6`}>
          <Skeleton className="h-5 w-40" />
          <div className="grid grid-cols-2 gap-4 md:grid-cols-4">
            {[0, 1, 2, 3].map((j) => <Skeleton key={j} className="h-16" />)}
          </div>
        </div>
      ))}
    </div>
  );
}

/**
 * The custom size fields as the VMInstance's `resources`, or null while one is not valid (cores
 * per socket 1–64, sockets 1–16, memory a quantity of at least 128Mi; shared/vm.ts
 * `vmResourcesSchema` decides on the server).
 */
function parseCustomSize(c: { cores: string; sockets: string; memory: string }): VmResources | null {
  const parsed = vmResourcesSchema.safeParse({ cpu: Number(c.cores.trim() || NaN), sockets: Number(c.sockets.trim() || NaN), memory: c.memory.trim() });
  return parsed.success ? parsed.data : null;
}
