// wavesurfer.js styles its waveform with a <style> element inside its shadow root. The console's
// Content-Security-Policy (style-src 'self', server/platform/http/security-headers.ts) blocks that
// element, which leaves the progress layer and canvases unpositioned (the waveform drawn twice,
// stacked). Rather than loosen the policy for every page, the same rules are given to the shadow
// root as a constructed stylesheet: the CSSOM is not inline markup, so the policy allows it.
// Copied from wavesurfer.js 8's renderer (initHtml); revisit on a major upgrade.
import type WaveSurfer from "wavesurfer.js";

function css(minHeight: number): string {
  return `
    :host { user-select: none; min-width: 1px; }
    :host audio { display: block; width: 100%; }
    :host .scroll { overflow-x: auto; overflow-y: hidden; width: 100%; position: relative; }
    :host .noScrollbar { scrollbar-color: transparent; scrollbar-width: none; }
    :host .noScrollbar::-webkit-scrollbar { display: none; -webkit-appearance: none; }
    :host .wrapper { position: relative; overflow: visible; z-index: 2; }
    :host .canvases { min-height: ${minHeight}px; pointer-events: none; }
    :host .canvases > div { position: relative; }
    :host canvas { display: block; position: absolute; top: 0; image-rendering: pixelated; }
    :host .progress { pointer-events: none; position: absolute; z-index: 2; top: 0; left: 0; width: 0; height: 100%; overflow: hidden; }
    :host .progress > div { position: relative; }
    :host .cursor { pointer-events: none; position: absolute; z-index: 5; top: 0; left: 0; height: 100%; border-radius: 2px; }
  `;
}

/** Gives the waveform's shadow root its styles; `minHeight` is the lanes' total height in pixels. */
export function adoptWaveSurferStyles(ws: WaveSurfer, minHeight: number): void {
  const root = ws.getWrapper().getRootNode();
  if (!(root instanceof ShadowRoot)) return;
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(css(minHeight));
  root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
}
