/**
 * Errors as codes (issue 16): the server answers a reason and its params, and the page says them
 * in the user's language. Regression: a French user creating a VM whose name was taken read the
 * server's English "A VM named "x" already exists." under the name field.
 */
import { expect, test } from "@playwright/test";
import { signInAs, uniqueVmName } from "./fixtures";

test("a French user creating a VM with a taken name reads the refusal in French", async ({ page }) => {
  const name = uniqueVmName("dup");
  await signInAs(page, "alice", "alice-password");
  const origin = new URL(page.url()).origin;
  // the taken name: a stopped VM (no guest to boot), created through the API
  const created = await page.request.post("/api/tenants/acme/vms", {
    headers: { origin },
    data: { name, instanceType: "u1.medium", instanceProfile: "alpine", rootDisk: { source: { type: "image", name: "alpine" } }, runStrategy: "Halted" },
  });
  expect(created.status()).toBe(201);
  try {
    // the API itself answers the reason, its params, and the English message for API clients
    const again = await page.request.post("/api/tenants/acme/vms", {
      headers: { origin },
      data: { name, instanceType: "u1.medium", instanceProfile: "alpine", rootDisk: { source: { type: "image", name: "alpine" } }, runStrategy: "Halted" },
    });
    expect(again.status()).toBe(409);
    expect((await again.json()).error).toMatchObject({ code: "conflict", reason: "vm_exists", params: { name }, message: `A VM named "${name}" already exists.`, field: "name" });

    await page.getByRole("combobox", { name: "Language" }).selectOption("fr");
    await expect(page.getByRole("heading", { name: "Machines virtuelles", exact: true })).toBeVisible();
    await page.goto("/t/acme/vms/new");
    await page.getByLabel("Nom", { exact: true }).fill(name);
    await page.getByRole("radiogroup", { name: /^Type d.instance$/ }).getByRole("radio", { name: /^u1\.medium/ }).check();
    await page.getByRole("combobox", { name: /^Profil/ }).selectOption("alpine");
    await page.getByRole("button", { name: /^Créer la VM$/ }).click();

    const nameField = page.getByLabel("Nom", { exact: true });
    await expect(nameField).toBeFocused();
    await expect(nameField).toHaveAccessibleDescription(new RegExp(`Une VM nommée « ${name} » existe déjà\\.`));
    await expect(page.getByText("already exists")).toHaveCount(0);
  } finally {
    await page.request.delete(`/api/tenants/acme/vms/${name}?withDisks=true`, { headers: { origin } });
  }
});
