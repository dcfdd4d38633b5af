/**
 * Issue 16, problem 8: the create form's choices did not connect. Choosing the OS profile Cirros
 * left the image on ubuntu and the size at 20 GiB; now a profile preselects its golden image
 * (`cozy-public/vm-image-<name>`) and that image's minimum size, says so, never shrinks a size
 * the user typed and never overrides an image the user picked. And 28 instance-type cards made a
 * 2,600 px form: each series now shows its common sizes, the rest behind "Show all N sizes".
 * Sizes are the dev cluster's golden images (dev-cluster/manifests.ts: cirros and alpine 1 GiB,
 * ubuntu 4 GiB, centos-stream9 10 GiB). No VM is created here.
 */
import { expect, test, type Page } from "@playwright/test";
import { signInAs } from "./fixtures";

/** The OS profile select, found by an option only it has (its label is the glossary's business). */
const profileSelect = (page: Page) => page.getByRole("combobox").filter({ has: page.locator('option[value="windows.11"]') });

test("the OS profile preselects its golden image and the image's minimum size", async ({ page }) => {
  await signInAs(page, "alice", "alice-password");
  await page.goto("/t/acme/vms/new");
  const image = page.getByRole("combobox", { name: "Image", exact: true });
  const size = page.getByLabel("Size", { exact: true });
  const note = page.getByRole("status").filter({ hasText: /OS profile|minimum/ });

  // Opens on Ubuntu: image ubuntu at its 4 GiB minimum
  await expect(profileSelect(page)).toHaveValue("ubuntu");
  await expect(image).toHaveValue("ubuntu");
  await expect(size).toHaveValue("4Gi");

  await profileSelect(page).selectOption("cirros");
  await expect(image).toHaveValue("cirros");
  await expect(size).toHaveValue("1Gi");
  await expect(note).toHaveText("Image and size follow the OS profile Cirros.");

  // A typed size above the new image's minimum is kept
  await size.fill("30Gi");
  await profileSelect(page).selectOption("centos.stream9");
  await expect(image).toHaveValue("centos-stream9");
  await expect(size).toHaveValue("30Gi");
  await expect(note).toHaveText("The image follows the OS profile CentOS Stream 9.");

  // A typed size below it is raised, and the form says so
  await size.fill("2Gi");
  await profileSelect(page).selectOption("ubuntu");
  await expect(image).toHaveValue("ubuntu");
  await expect(size).toHaveValue("4Gi");
  await expect(note).toContainText("Size raised to 4 GiB, the minimum for image ubuntu.");

  // An image picked by hand is not overridden by the profile
  await image.selectOption("alpine");
  await profileSelect(page).selectOption("cirros");
  await expect(image).toHaveValue("alpine");
  await expect(size).toHaveValue("4Gi");

  // A profile with no golden image says so and leaves the image alone
  await image.selectOption("cirros");
  await profileSelect(page).selectOption("windows.11");
  await expect(image).toHaveValue("cirros");
  await expect(note).toContainText("No golden image matches the OS profile Microsoft Windows 11: check the image, or use a URL.");
});

test("in French, the form says the image and size follow the OS profile", async ({ page }) => {
  await signInAs(page, "alice", "alice-password");
  await page.getByRole("combobox", { name: "Language" }).selectOption("fr");
  await expect(page.getByRole("heading", { name: "Machines virtuelles", exact: true })).toBeVisible();
  await page.goto("/t/acme/vms/new");
  await expect(page.locator("html")).toHaveAttribute("lang", "fr");
  await profileSelect(page).selectOption("cirros");
  await expect(page.getByRole("combobox", { name: "Image", exact: true })).toHaveValue("cirros");
  await expect(page.getByRole("status").filter({ hasText: "L’image et la taille suivent le profil d’OS Cirros." })).toBeVisible();
});

test.describe("on a phone", () => {
  test.use({ viewport: { width: 390, height: 844 } });

  test("instance types show their common sizes by series, the others one click (or key) away", async ({ page }) => {
    await signInAs(page, "alice", "alice-password");
    await page.goto("/t/acme/vms/new");
    const types = page.getByRole("radiogroup", { name: "Instance type" });
    // S small–xlarge, U medium–xlarge, M large–xlarge, CX medium–xlarge, RT medium–xlarge: 15 of 28
    await expect(types.getByRole("radio")).toHaveCount(15);
    await expect(types.getByRole("radio", { name: /^u1\.medium/ })).toBeChecked();

    const standard = types.getByRole("group", { name: /Standard series/ });
    const disclosure = standard.getByRole("button");
    await expect(disclosure).toHaveText(/Show all 9 sizes/);
    await expect(disclosure).toHaveAttribute("aria-expanded", "false");
    await expect(standard.getByRole("radio")).toHaveCount(4);
    await expect(types.getByRole("radio", { name: /^s1\.8xlarge/ })).toHaveCount(0);

    await disclosure.click();
    await expect(disclosure).toHaveAttribute("aria-expanded", "true");
    await expect(disclosure).toHaveText(/Show fewer sizes/);
    await expect(standard.getByRole("radio")).toHaveCount(9);
    await expect(types.getByRole("radio", { name: /^s1\.8xlarge/ })).toBeVisible();
    const { scrollWidth, innerWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
    expect(scrollWidth, `page is ${scrollWidth} px wide in a ${innerWidth} px viewport`).toBeLessThanOrEqual(innerWidth);

    // From the keyboard: the disclosure is a real button
    await expect(disclosure).toBeFocused();
    await page.keyboard.press("Enter");
    await expect(disclosure).toHaveAttribute("aria-expanded", "false");
    await expect(standard.getByRole("radio")).toHaveCount(4);
    await page.keyboard.press("Space");
    await expect(disclosure).toHaveAttribute("aria-expanded", "true");

    // A series whose sizes are all common has no disclosure
    await expect(types.getByRole("group", { name: /Real-Time series/ }).getByRole("button")).toHaveCount(0);
    // The other series stayed collapsed
    await expect(types.getByRole("group", { name: /Universal series/ }).getByRole("button")).toHaveAttribute("aria-expanded", "false");
  });
});
