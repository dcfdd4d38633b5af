/**
 * How the create form's root disk follows its OS profile (issue 16: choosing Cirros left the image
 * on ubuntu and the size at 20 GiB). Choosing an OS profile (a VirtualClusterPreference name)
 * preselects the golden image of the same name, unless the user picked an image; the size follows
 * that image's minimum (the golden image's DataVolume size, `Catalogue.imageBytes`) while the user
 * has not typed one, and a typed size is only ever raised to the minimum, never shrunk.
 * Pure functions: the form keeps a {@link RootDiskChoice} in its state.
 */
import type { Catalogue } from "@/lib/shared/vm";
import { parseQuantity, quantityPattern } from "@/lib/shared/quantity";

/** The root disk's size while no image minimum is known and the user typed none. */
export const defaultRootDiskStorage = "20Gi";

/** A name reduced to lowercase letters and digits: `centos.stream9` and `centos-stream9` meet. */
const normalized = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, "");

/**
 * The golden image an OS profile preselects: the image named like the profile (`ubuntu` ↔
 * `ubuntu`), else the one whose name differs only by punctuation and case (`centos.stream9` ↔
 * `centos-stream9`). No guess beyond that: `fedora.arm64` does not get the amd64 `fedora` image,
 * and `ubuntu` never gets `ubuntu-jammy`.
 * @param profile a VirtualClusterPreference name, e.g. "cirros"
 * @param images the catalogue's golden image names (`cozy-public/vm-image-<name>`)
 * @returns the image name, or undefined when the platform has none for this profile
 */
export function goldenImageOfProfile(profile: string, images: readonly string[]): string | undefined {
  if (!profile) return undefined;
  if (images.includes(profile)) return profile;
  const key = normalized(profile);
  return [...images].sort().find((image) => normalized(image) === key);
}

/**
 * A minimum size in bytes as the size field's text, rounded up to whole GiB (it is a floor, so
 * rounding up keeps it one): 1073741824 → "1Gi", 1.5 GiB → "2Gi". At least "1Gi".
 */
export function minimumStorage(bytes: number): string {
  return `${Math.max(1, Math.ceil(bytes / 2 ** 30))}Gi`;
}

/** The root disk part of the create form's state. */
export interface RootDiskChoice {
  /** the golden image's name ("" when the catalogue has none) */
  image: string;
  /** the user chose the image themselves: a profile change leaves it alone */
  imagePicked: boolean;
  /** the size field's text, e.g. "20Gi" */
  size: string;
  /** the user typed the size: it is only ever raised, never shrunk */
  sizeTyped: boolean;
}

/** A new {@link RootDiskChoice}, and the size it was raised to when a typed size was below the new image's minimum. */
export interface RootDiskUpdate {
  choice: RootDiskChoice;
  /** the new size when a typed size was raised to the image's minimum, e.g. "10Gi" */
  raisedTo?: string;
}

type ImageSizes = Pick<Catalogue, "imageBytes">;

/**
 * The size for `image`: while untyped, the image's minimum (or {@link defaultRootDiskStorage} when
 * its size is unknown); once typed, the typed size raised to the minimum when below it, else kept
 * as typed (also when it is not a quantity: the field's own check reports that).
 */
function sizeForImage(choice: RootDiskChoice, image: string, catalogue: ImageSizes): RootDiskUpdate {
  const minimum = catalogue.imageBytes?.[image] ?? 0;
  if (!choice.sizeTyped) {
    return { choice: { ...choice, image, size: minimum > 0 ? minimumStorage(minimum) : defaultRootDiskStorage } };
  }
  const text = choice.size.trim();
  if (minimum > 0 && quantityPattern.test(text) && parseQuantity(text) < minimum) {
    const size = minimumStorage(minimum);
    return { choice: { ...choice, image, size }, raisedTo: size };
  }
  return { choice: { ...choice, image } };
}

/**
 * The root disk when the form opens with `profile`: its golden image if there is one, else
 * ubuntu, else the first image; the size that image's minimum.
 */
export function initialRootDisk(profile: string, catalogue: Pick<Catalogue, "images" | "imageBytes">): RootDiskChoice {
  const image = goldenImageOfProfile(profile, catalogue.images)
    ?? (catalogue.images.includes("ubuntu") ? "ubuntu" : (catalogue.images[0] ?? ""));
  return sizeForImage({ image, imagePicked: false, size: defaultRootDiskStorage, sizeTyped: false }, image, catalogue).choice;
}

/**
 * The root disk after the user chose the OS profile `profile`: the profile's golden image unless
 * the user picked one (or the platform has none: the image stays), and the size for that image.
 */
export function rootDiskForProfile(choice: RootDiskChoice, profile: string, catalogue: Pick<Catalogue, "images" | "imageBytes">): RootDiskUpdate {
  const image = choice.imagePicked ? choice.image : (goldenImageOfProfile(profile, catalogue.images) ?? choice.image);
  return sizeForImage(choice, image, catalogue);
}

/**
 * The root disk after the user chose `image` in the image select. Choosing the profile's own
 * image counts as not having picked one, so the image follows the profile again.
 */
export function rootDiskForImage(choice: RootDiskChoice, image: string, profile: string, catalogue: Pick<Catalogue, "images" | "imageBytes">): RootDiskUpdate {
  const imagePicked = image !== goldenImageOfProfile(profile, catalogue.images);
  return sizeForImage({ ...choice, imagePicked }, image, catalogue);
}

/**
 * The root disk when its source becomes the golden image again (after a URL): the size is checked
 * against the image's minimum as if the image had just been chosen.
 */
export function rootDiskForImageSource(choice: RootDiskChoice, catalogue: ImageSizes): RootDiskUpdate {
  return sizeForImage(choice, choice.image, catalogue);
}

/**
 * What the form says about the preselection, under the root disk's source:
 * - `follows`: "imageAndSize" when both come from the profile, "image" when only the image does
 *   (the size was typed), "size" when only the size does (the image was picked, or the profile has
 *   no image), null when neither;
 * - `noImage`: the profile has no golden image and the user has not picked one (the image shown is
 *   whatever was there before, which may not fit the profile).
 */
export function rootDiskNote(choice: RootDiskChoice, profile: string, catalogue: Pick<Catalogue, "images" | "imageBytes">): {
  follows: "imageAndSize" | "image" | "size" | null;
  noImage: boolean;
} {
  const profileImage = goldenImageOfProfile(profile, catalogue.images);
  const imageFollows = !choice.imagePicked && profileImage !== undefined && profileImage === choice.image;
  const sizeFollows = !choice.sizeTyped && (catalogue.imageBytes?.[choice.image] ?? 0) > 0;
  const follows = imageFollows && sizeFollows ? "imageAndSize" : imageFollows ? "image" : sizeFollows ? "size" : null;
  return { follows, noImage: Boolean(profile) && !choice.imagePicked && profileImage === undefined };
}

/**
 * The root disk when its source becomes a URL: the image's minimum no longer applies, so a size
 * the user did not type goes back to {@link defaultRootDiskStorage}; a typed one is kept.
 */
export function rootDiskForUrlSource(choice: RootDiskChoice): RootDiskChoice {
  return choice.sizeTyped ? choice : { ...choice, size: defaultRootDiskStorage };
}
