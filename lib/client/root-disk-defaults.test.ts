import { describe, expect, it } from "vitest";
import {
  goldenImageOfProfile, initialRootDisk, minimumStorage, rootDiskForImage, rootDiskForImageSource, rootDiskForProfile, rootDiskForUrlSource, rootDiskNote,
  type RootDiskChoice,
} from "./root-disk-defaults";

const GiB = 2 ** 30;
/** The dev cluster's golden images (dev-cluster/manifests.ts) with their minimum sizes. */
const catalogue = {
  images: ["alpine", "centos-stream9", "cirros", "fedora", "rocky", "ubuntu", "ubuntu-jammy"],
  imageBytes: { alpine: GiB, "centos-stream9": 10 * GiB, cirros: GiB, fedora: 5 * GiB, rocky: 10 * GiB, ubuntu: 4 * GiB, "ubuntu-jammy": 3 * GiB },
};

describe("goldenImageOfProfile", () => {
  it.each([
    ["ubuntu", "ubuntu"],
    ["cirros", "cirros"],
    ["alpine", "alpine"],
    ["centos.stream9", "centos-stream9"],
  ])("profile %s preselects image %s", (profile, image) => {
    expect(goldenImageOfProfile(profile, catalogue.images)).toBe(image);
  });

  it.each(["windows.11", "rhel.9", "fedora.arm64", "centos.stream10", "debian", ""])("profile %j has no image (no guess)", (profile) => {
    expect(goldenImageOfProfile(profile, catalogue.images)).toBeUndefined();
  });

  it("prefers the exact name over a punctuation twin", () => {
    expect(goldenImageOfProfile("centos.stream9", ["centos-stream9", "centos.stream9"])).toBe("centos.stream9");
  });
});

describe("minimumStorage", () => {
  it("writes whole GiB, rounding up", () => {
    expect(minimumStorage(GiB)).toBe("1Gi");
    expect(minimumStorage(10 * GiB)).toBe("10Gi");
    expect(minimumStorage(1.5 * GiB)).toBe("2Gi");
    expect(minimumStorage(64 * 2 ** 20)).toBe("1Gi");
  });
});

describe("the root disk follows the OS profile", () => {
  const opened = initialRootDisk("ubuntu", catalogue);

  it("opens on the profile's image at its minimum size", () => {
    expect(opened).toEqual({ image: "ubuntu", imagePicked: false, size: "4Gi", sizeTyped: false });
  });

  it("opens on ubuntu at 20Gi when the profile has no image and image sizes are unknown", () => {
    expect(initialRootDisk("windows.11", { images: ["cirros", "ubuntu"] })).toEqual({ image: "ubuntu", imagePicked: false, size: "20Gi", sizeTyped: false });
  });

  it("Cirros: image cirros, size its 1 GiB minimum (the untyped default shrinks)", () => {
    const { choice, raisedTo } = rootDiskForProfile(opened, "cirros", catalogue);
    expect(choice).toMatchObject({ image: "cirros", size: "1Gi" });
    expect(raisedTo).toBeUndefined();
  });

  it("a typed size above the minimum is kept", () => {
    const typed: RootDiskChoice = { ...opened, size: "50Gi", sizeTyped: true };
    expect(rootDiskForProfile(typed, "cirros", catalogue)).toEqual({ choice: { ...typed, image: "cirros" } });
    expect(rootDiskForProfile(typed, "centos.stream9", catalogue).choice.size).toBe("50Gi");
  });

  it("a typed size below the minimum is raised, and says so", () => {
    const typed: RootDiskChoice = { ...opened, size: "2Gi", sizeTyped: true };
    const { choice, raisedTo } = rootDiskForProfile(typed, "centos.stream9", catalogue);
    expect(choice).toEqual({ image: "centos-stream9", imagePicked: false, size: "10Gi", sizeTyped: true });
    expect(raisedTo).toBe("10Gi");
  });

  it("a typed size that is not a quantity is left to the field's check", () => {
    const typed: RootDiskChoice = { ...opened, size: "lots", sizeTyped: true };
    expect(rootDiskForProfile(typed, "centos.stream9", catalogue).choice.size).toBe("lots");
  });

  it("an image the user picked is not overridden by the profile", () => {
    const picked = rootDiskForImage(opened, "rocky", "ubuntu", catalogue).choice;
    expect(picked).toMatchObject({ image: "rocky", imagePicked: true, size: "10Gi" });
    expect(rootDiskForProfile(picked, "cirros", catalogue).choice).toEqual(picked);
  });

  it("picking the profile's own image makes the image follow the profile again", () => {
    const picked = rootDiskForImage(opened, "rocky", "ubuntu", catalogue).choice;
    const back = rootDiskForImage(picked, "ubuntu", "ubuntu", catalogue).choice;
    expect(back.imagePicked).toBe(false);
    expect(rootDiskForProfile(back, "cirros", catalogue).choice.image).toBe("cirros");
  });

  it("a profile without a golden image keeps the image", () => {
    const { choice } = rootDiskForProfile(opened, "windows.11", catalogue);
    expect(choice).toEqual(opened);
  });

  it("a URL source drops an untyped size back to 20Gi and keeps a typed one", () => {
    expect(rootDiskForUrlSource(rootDiskForProfile(opened, "cirros", catalogue).choice).size).toBe("20Gi");
    expect(rootDiskForUrlSource({ ...opened, size: "3Gi", sizeTyped: true }).size).toBe("3Gi");
  });

  it("going back from a URL checks the typed size against the image", () => {
    const typed: RootDiskChoice = { image: "rocky", imagePicked: true, size: "5Gi", sizeTyped: true };
    expect(rootDiskForImageSource(typed, catalogue)).toEqual({ choice: { ...typed, size: "10Gi" }, raisedTo: "10Gi" });
  });
});

describe("rootDiskNote", () => {
  const opened = initialRootDisk("ubuntu", catalogue);

  it("says image and size follow while neither was chosen by hand", () => {
    expect(rootDiskNote(rootDiskForProfile(opened, "cirros", catalogue).choice, "cirros", catalogue)).toEqual({ follows: "imageAndSize", noImage: false });
  });

  it("says only the image follows once the size was typed", () => {
    expect(rootDiskNote({ ...opened, size: "30Gi", sizeTyped: true }, "ubuntu", catalogue)).toEqual({ follows: "image", noImage: false });
  });

  it("says only the size follows once the image was picked", () => {
    const picked = rootDiskForImage(opened, "rocky", "ubuntu", catalogue).choice;
    expect(rootDiskNote(picked, "ubuntu", catalogue)).toEqual({ follows: "size", noImage: false });
  });

  it("warns when the profile has no golden image", () => {
    expect(rootDiskNote(rootDiskForProfile(opened, "windows.11", catalogue).choice, "windows.11", catalogue)).toEqual({ follows: "size", noImage: true });
  });

  it("says nothing when both were chosen by hand", () => {
    const picked = rootDiskForImage(opened, "rocky", "ubuntu", catalogue).choice;
    expect(rootDiskNote({ ...picked, sizeTyped: true }, "ubuntu", catalogue)).toEqual({ follows: null, noImage: false });
  });
});
