// SVG → PNG with resvg (no browser, no canvas), using the system's fonts.
import { Resvg } from '@resvg/resvg-js';
import { FONT } from '../specs/style.js';

export function svgToPng(svg: string, options: { scale?: number } = {}): Buffer {
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: options.scale ?? 1.5 },
    font: { loadSystemFonts: true, defaultFontFamily: FONT, sansSerifFamily: FONT },
    background: 'white',
  });
  return resvg.render().asPng();
}
