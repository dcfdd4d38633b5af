/**
 * The rough edges of issue 16 ("Every user, every screen"), one regression test each. Every test
 * seeds what it needs through the API with its own names and removes it afterwards; the only VM it
 * creates is Halted (no QEMU guest is started).
 */
import { expect, test, type Page } from "@playwright/test";
import { signInAs, uniqueVmName, waitForHydration } from "./fixtures";

/** The page's origin, for the same-origin check of the API's mutations. */
const originOf = (page: Page) => new URL(page.url()).origin;

/**
 * Adds a new local account to acme through the admin API (the page must be signed in as admin).
 * @returns its username
 */
async function addAcmeMember(page: Page, level: "view" | "use" | "admin"): Promise<string> {
  const username = uniqueVmName("rough");
  const added = await page.request.post("/api/admin/tenants/acme/members", {
    headers: { origin: originOf(page) },
    data: { username, level, displayName: "Rough Edge", password: "rough-edge-password" },
  });
  expect(added.status(), await added.text()).toBe(201);
  return username;
}

/** Removes a member of acme through the admin API (whether or not the test already did). */
async function removeAcmeMember(page: Page, username: string): Promise<void> {
  await page.request.delete(`/api/admin/tenants/acme/members/${username}`, { headers: { origin: originOf(page) } });
}

/** The usernames of acme's local members, from the admin API. */
async function acmeMembers(page: Page): Promise<string[]> {
  const res = await page.request.get("/api/admin/tenants/acme/members");
  expect(res.status()).toBe(200);
  return ((await res.json()) as { username: string }[]).map((m) => m.username);
}

/** Regression (issue 16, a): victor got filters, downloads and an empty table under an English 403. */
test("victor (view) opening the audit page gets only an explanation: his role and the level that reads it", async ({ page }) => {
  await signInAs(page, "victor", "victor-password");
  await page.goto("/t/acme/audit");
  await expect(page.getByRole("heading", { name: "Audit log", level: 1 })).toBeVisible();
  const note = page.getByRole("status").filter({ hasText: "Your role cannot read this audit log" });
  await expect(note).toContainText(/Your role in .+ is Viewer\. The audit log is for the Admin level and above/);
  await expect(page.getByRole("button", { name: "Filter" })).toHaveCount(0);
  await expect(page.getByRole("link", { name: /^Download / })).toHaveCount(0);
  await expect(page.getByRole("table")).toHaveCount(0);
  await expect(page.getByLabel("Action", { exact: true })).toHaveCount(0);
});

/** Regression (issue 16, b): a member's level changed, or the member was removed, in one click. */
test("member changes wait for a confirmation: Cancel (focused) and Escape keep the member, Confirm changes or removes", async ({ page }) => {
  await signInAs(page, "admin", "admin-password");
  const username = await addAcmeMember(page, "view");
  try {
    await page.goto("/admin/tenants/acme");
    const members = page.getByRole("region", { name: "Members" });
    const row = members.getByRole("row", { name: new RegExp(username) });
    const remove = row.getByRole("button", { name: `Remove ${username}` });
    const removal = page.getByRole("dialog", { name: `Remove ${username} from tenant acme?` });

    // Cancel has the focus, Tab stays in the dialog, Cancel keeps the member and gives the focus back.
    await remove.click();
    await expect(removal).toBeVisible();
    await expect(removal).toContainText(`${username} (Viewer) loses access to tenant acme`);
    const cancel = removal.getByRole("button", { name: "Cancel" });
    await expect(cancel).toBeFocused();
    await page.keyboard.press("Tab");
    await expect(removal.getByRole("button", { name: "Remove member" })).toBeFocused();
    await page.keyboard.press("Tab");
    await expect(cancel).toBeFocused();
    await page.keyboard.press("Enter");
    await expect(removal).toHaveCount(0);
    await expect(remove).toBeFocused();
    await expect(row).toBeVisible();
    expect(await acmeMembers(page)).toContain(username);

    // Escape cancels too.
    await page.keyboard.press("Enter");
    await expect(removal).toBeVisible();
    await page.keyboard.press("Escape");
    await expect(removal).toHaveCount(0);
    await expect(remove).toBeFocused();
    expect(await acmeMembers(page)).toContain(username);

    // A level change names the old and the new level, and happens only once confirmed.
    const level = row.getByRole("combobox", { name: `Level of ${username}` });
    await level.selectOption("use");
    const change = page.getByRole("dialog", { name: `Change the level of ${username}?` });
    await expect(change).toContainText(`${username} will go from Viewer to User in tenant acme`);
    await change.getByRole("button", { name: "Cancel" }).click();
    await expect(level).toHaveValue("view");
    await level.selectOption("use");
    await change.getByRole("button", { name: "Change level" }).click();
    await expect(change).toHaveCount(0);
    await expect(level).toHaveValue("use");

    // Confirm removes.
    await remove.click();
    await expect(removal).toContainText(`${username} (User)`);
    await removal.getByRole("button", { name: "Remove member" }).click();
    await expect(removal).toHaveCount(0);
    await expect(row).toHaveCount(0);
    expect(await acmeMembers(page)).not.toContain(username);
  } finally {
    await removeAcmeMember(page, username);
  }
});

/** Regression (issue 16, c): actions showed as codes (`member.update`) and the action filter was free text. */
test("the audit table shows actions as translated labels with the code beside, and the action select filters on one", async ({ page }) => {
  await signInAs(page, "admin", "admin-password");
  const username = await addAcmeMember(page, "view");
  try {
    const changed = await page.request.patch(`/api/admin/tenants/acme/members/${username}`, { headers: { origin: originOf(page) }, data: { level: "use" } });
    expect(changed.status(), await changed.text()).toBe(200);

    await page.goto("/admin/audit");
    await waitForHydration(page); // the filter form is controlled: values typed before hydration are lost
    await page.getByLabel("Tenant", { exact: true }).fill("acme");
    const action = page.getByLabel("Action", { exact: true });
    await action.selectOption({ label: "Change member level" });
    await expect(action).toHaveValue("member.update");
    await page.getByRole("button", { name: "Filter" }).click();

    const rows = page.getByRole("row").filter({ hasNot: page.getByRole("columnheader") });
    await expect.poll(async () => {
      const texts = await rows.allInnerTexts();
      return texts.length > 0 && texts.every((r) => r.includes("Change member level") && r.includes("member.update"));
    }).toBe(true);
    // the level change of our member is listed, its creation (member.create) is filtered out
    const ours = page.getByRole("row", { name: new RegExp(username) });
    await expect(ours).toHaveCount(1);
    await expect(ours).toContainText(`Member ${username}`);

    await page.getByRole("combobox", { name: "Language" }).selectOption("fr");
    await expect(ours).toContainText("Changement de rôle d’un membre");
    await expect(ours).toContainText("member.update");
    await expect(action).toHaveValue("member.update");
    await expect(action.getByRole("option", { name: "Changement de rôle d’un membre" })).toHaveCount(1);
  } finally {
    await removeAcmeMember(page, username);
  }
});

/** Regression (issue 16, d): an attached disk's red Delete stayed active while its dialog said "detach first". */
test("an attached disk's Delete is disabled, with the reason naming the VM and a link to it", async ({ page }) => {
  const vm = uniqueVmName("rough");
  const disk = `${vm}-d1`;
  await signInAs(page, "alice", "alice-password");
  const created = await page.request.post("/api/tenants/acme/vms", {
    headers: { origin: originOf(page) },
    data: { name: vm, instanceType: "u1.medium", instanceProfile: "cirros", runStrategy: "Halted",
      rootDisk: { source: { type: "image", name: "cirros" }, storage: "1Gi" }, dataDisks: [{ storage: "1Gi" }] },
  });
  expect(created.status(), await created.text()).toBe(201);
  try {
    await page.goto("/t/acme/disks");
    const row = page.getByRole("row", { name: new RegExp(disk) });
    await expect(row).toContainText(vm);
    const del = row.getByRole("button", { name: `Delete ${disk}` });
    await expect(del).toBeDisabled();
    await expect(del).toHaveAccessibleDescription(`Attached to VM ${vm}: detach it there to delete this disk.`);
    await expect(row.getByText(/^Attached to VM .+: detach it there to delete this disk\.$/)).toBeVisible();
    // still reachable from the keyboard (so its reason is heard), and it opens nothing
    await del.focus();
    await page.keyboard.press("Enter");
    await expect(page.getByRole("dialog")).toHaveCount(0);

    // the reason's link (after the "Attached to" column's) leads to the VM, where the disk is detached
    await row.getByRole("link", { name: vm, exact: true }).last().click();
    await expect(page).toHaveURL(new RegExp(`/t/acme/vms/${vm}$`));
  } finally {
    await page.request.delete(`/api/tenants/acme/vms/${vm}?withDisks=true`, { headers: { origin: originOf(page) } });
  }
});

/** Regression (issue 16, e): the not-found page had no header, language or theme switch. */
test("the not-found page switches to French, has the theme switch, and leads back to the portal", async ({ page }) => {
  const res = await page.goto(`/${uniqueVmName("nowhere")}`);
  expect(res?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  await waitForHydration(page);

  await page.getByRole("combobox", { name: "Language" }).selectOption("fr");
  await expect(page.getByRole("heading", { name: "Page introuvable" })).toBeVisible();
  await expect(page.getByText("Cette page n’existe pas, ou vous n’y avez pas accès.")).toBeVisible();

  const theme = page.getByRole("group", { name: "Thème" });
  await theme.getByRole("button", { name: "Sombre" }).click();
  await expect(theme.getByRole("button", { name: "Sombre" })).toHaveAttribute("aria-pressed", "true");

  // signed out, the portal's home asks to sign in first
  await page.getByRole("link", { name: "Retour au portail" }).click();
  await expect(page).toHaveURL(/\/signin/);
});
