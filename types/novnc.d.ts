/**
 * noVNC 1.7 exports its RFB class as the package root (package.json `exports: ./core/rfb.js`);
 * DefinitelyTyped (@types/novnc__novnc) still describes it under the old `lib/rfb` path. This
 * maps the root to those types.
 */
declare module "@novnc/novnc" {
  import RFB from "@novnc/novnc/lib/rfb";
  export default RFB;
}
