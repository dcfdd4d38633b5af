/**
 * The VM page's YAML tab in Chromium against the real local cluster: the VMInstance as stored and
 * its VirtualMachine; the CodeMirror editor names an unknown field as you type and the server
 * refuses it naming the field; a wrong type is named and blocks Save; the stored VM is unchanged
 * by either; an edit made elsewhere while the editor is open gives the conflict view, whose Reload
 * loads the stored version; Tab leaves the editor (no focus trap); victor (view) reads but has no
 * Edit. Own VM (Halted: no guest needed), own sign-in.
 */
import { expect, request, test, type APIRequestContext, type Page } from "@playwright/test";
import { signInAs, uniqueVmName } from "./fixtures";

// One worker runs this file's tests in order, so beforeAll makes the VM once: with fullyParallel
// each test would be its own group, and a worker running two of them would delete the VM, then
// create it again under the same name (chosen when the file loads) while it is still going.
test.describe.configure({ mode: "default" });

const name = uniqueVmName("yaml");
const apiPath = `/api/tenants/acme/vms/${name}/yaml`;

/**
 * An API client signed in as alice through next-auth's credentials flow (CSRF token, then the
 * callback), as the sign-in page does: the VM's setup and cleanup need no page.
 */
async function aliceApi(baseURL: string): Promise<APIRequestContext> {
  const api = await request.newContext({ baseURL, extraHTTPHeaders: { origin: new URL(baseURL).origin } });
  const { csrfToken } = await (await api.get("/api/auth/csrf")).json();
  const res = await api.post("/api/auth/callback/local", {
    form: { csrfToken, username: "alice", password: "alice-password", json: "true", callbackUrl: baseURL },
    maxRedirects: 0,
  });
  expect(res.status(), await res.text()).toBeLessThan(400);
  return api;
}

test.beforeAll(async ({ baseURL }) => {
  test.setTimeout(120_000);
  const api = await aliceApi(baseURL!);
  const created = await api.post("/api/tenants/acme/vms", {
    data: { name, instanceType: "u1.medium", instanceProfile: "cirros", rootDisk: { source: { type: "image", name: "cirros" }, storage: "1Gi" },
      external: false, externalPorts: [22], runStrategy: "Halted" },
  });
  expect(created.status(), await created.text()).toBe(201);
  await api.dispose();
});

test.afterAll(async ({ baseURL }) => {
  const api = await aliceApi(baseURL!);
  await api.delete(`/api/tenants/acme/vms/${name}?withDisks=true`);
  await api.dispose();
});

/** The stored YAML and resourceVersion, read through the API as the page's user. */
async function storedYaml(page: Page): Promise<{ instance: string; resourceVersion: string }> {
  const res = await page.request.get(apiPath);
  expect(res.status()).toBe(200);
  return res.json();
}

/** Replaces the whole text of the editor as a user would: select all, then type (insert) the new text. */
async function replaceText(page: Page, text: string): Promise<void> {
  const editor = page.getByRole("textbox", { name: `YAML of VMInstance ${name}, editable` });
  await editor.click();
  await page.keyboard.press("ControlOrMeta+a");
  await page.keyboard.insertText(text);
}

test("shows the YAML; refuses an unknown field and a wrong type naming the field; a concurrent edit gives the conflict view", async ({ page }, testInfo) => {
  test.setTimeout(150_000);
  await signInAs(page, "alice", "alice-password");
  await page.goto(`/t/acme/vms/${name}?tab=yaml`);
  const view = page.getByLabel(`YAML of VMInstance ${name}`, { exact: true });
  await expect(view).toContainText("kind: VMInstance");
  await expect(view).toContainText(`name: ${name}`);
  await page.getByRole("button", { name: "VirtualMachine" }).click();
  await expect(page.getByLabel(`YAML of VirtualMachine vm-instance-${name}`)).toContainText("kind: VirtualMachine", { timeout: 30_000 });
  await expect(page.getByText("Derived by the platform from the VMInstance: read-only.", { exact: false })).toBeVisible();
  await expect(page.getByRole("button", { name: "Edit" })).toHaveCount(0);
  await page.getByRole("button", { name: "VMInstance" }).click();
  await expect(page.getByRole("button", { name: "Download" })).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath("vm-yaml.png"), fullPage: true });

  const before = await storedYaml(page);
  await page.getByRole("button", { name: "Edit" }).click();
  const editor = page.getByRole("textbox", { name: `YAML of VMInstance ${name}, editable` });
  await expect(editor).toContainText("kind: VMInstance");
  const save = page.getByRole("button", { name: "Save", exact: true });
  await expect(save).toBeDisabled(); // nothing changed yet

  // Tab leaves the editor: focus is not trapped
  await editor.click();
  await page.keyboard.press("Escape");
  await page.keyboard.press("Tab");
  await expect(editor).not.toBeFocused();

  // an unknown field: a warning names it as you type; the server refuses it naming it
  await replaceText(page, before.instance.replace("  runStrategy: Halted\n", "  foo: 1\n  runStrategy: Halted\n"));
  const problems = page.getByRole("list").filter({ hasText: "spec.foo" });
  await expect(problems).toContainText("spec.foo is not a field of a VMInstance");
  await save.click();
  await expect(problems).toContainText("Refused by the portal or the cluster: spec.foo is not a field of a VMInstance");
  await page.screenshot({ path: testInfo.outputPath("vm-yaml-unknown-field.png"), fullPage: true });

  // a wrong type: named as you type (the cluster's schema), Save disabled
  await replaceText(page, before.instance.replace("  instanceType: u1.medium\n", "  instanceType: 5\n"));
  await expect(page.getByText("spec.instanceType must be string")).toBeVisible();
  await expect(save).toBeDisabled();

  // neither reached the cluster
  const unchanged = await storedYaml(page);
  expect(unchanged.resourceVersion).toBe(before.resourceVersion);
  expect(unchanged.instance).not.toContain("foo");

  // a concurrent edit while the editor is open → the conflict view; Reload loads the stored version
  await replaceText(page, before.instance.replace("  runStrategy: Halted\n", "  runStrategy: Manual\n"));
  await expect(page.getByText("No problems found.")).toBeVisible();
  const origin = new URL(page.url()).origin;
  const elsewhere = await page.request.put(apiPath, {
    headers: { origin },
    data: { yaml: before.instance.replace('  cloudInitSeed: ""\n', "  cloudInitSeed: concurrent\n"), resourceVersion: before.resourceVersion },
  });
  expect(elsewhere.status(), await elsewhere.text()).toBe(200);
  await save.click();
  const conflict = page.getByRole("region", { name: "This VM was changed by someone else since you opened the editor" });
  await expect(conflict).toBeVisible();
  await expect(conflict.getByLabel("Changes to the stored spec since you opened the editor")).toContainText(/added:\s*cloudInitSeed: concurrent/);
  await expect(save).toBeDisabled();
  await conflict.getByText("Your edited text").click();
  await expect(conflict.getByRole("textbox", { name: "Your edited text" })).toHaveValue(/runStrategy: Manual/);
  await page.screenshot({ path: testInfo.outputPath("vm-yaml-conflict.png"), fullPage: true });

  await conflict.getByRole("button", { name: "Reload" }).click();
  const dialog = page.getByRole("dialog", { name: "Load the stored version?" });
  await dialog.getByRole("button", { name: "Reload" }).click();
  await expect(conflict).toHaveCount(0);
  await expect(editor).toContainText("cloudInitSeed: concurrent");
  await expect(editor).toContainText("runStrategy: Halted");
  await expect(page.getByText("Your edits before the reload")).toBeVisible();

  // the reloaded version saves
  const reloaded = await storedYaml(page);
  await replaceText(page, reloaded.instance.replace("  runStrategy: Halted\n", "  runStrategy: Manual\n"));
  await expect(save).toBeEnabled();
  await save.click();
  await expect(page.getByText("Saved. What changed:")).toBeVisible();
  await expect(page.getByText("runStrategy: Halted → Manual")).toBeVisible();
  await expect(page.getByLabel(`YAML of VMInstance ${name}`, { exact: true })).toContainText("runStrategy: Manual");
});

test("victor (view) reads the YAML but has no Edit", async ({ page }) => {
  await signInAs(page, "victor", "victor-password");
  await page.goto(`/t/acme/vms/${name}?tab=yaml`);
  await expect(page.getByLabel(`YAML of VMInstance ${name}`, { exact: true })).toContainText("kind: VMInstance");
  await expect(page.getByRole("button", { name: "Copy" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Edit" })).toHaveCount(0);
});
