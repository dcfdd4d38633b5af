import { describe, expect, it } from "vitest";
import { keysymForChar, keysyms, keysymsForText } from "./keysym";

describe("keysymForChar", () => {
  it("uses the code point for Latin-1 printable characters", () => {
    expect(keysymForChar("a")).toBe(0x61);
    expect(keysymForChar("~")).toBe(0x7e);
    expect(keysymForChar("é")).toBe(0xe9);
  });
  it("offsets other Unicode characters by 0x01000000 (X11 Appendix A)", () => {
    expect(keysymForChar("€")).toBe(0x010020ac);
    expect(keysymForChar("😀")).toBe(0x0101f600);
  });
  it("maps newline and tab to Return and Tab and drops other control characters", () => {
    expect(keysymForChar("\n")).toBe(keysyms.Return);
    expect(keysymForChar("\t")).toBe(keysyms.Tab);
    expect(keysymForChar("\u0007")).toBeNull();
    expect(keysymForChar("\u0085")).toBeNull();
  });
});

describe("keysymsForText", () => {
  it("types a command line with one Return per line break, CRLF included", () => {
    expect(keysymsForText("ls\r\nid\n")).toEqual([0x6c, 0x73, keysyms.Return, 0x69, 0x64, keysyms.Return]);
  });
});
