// The original plotter's look (reference §4.2), in Vega-Lite terms.
export const PRIMARY = '#4a73ad';
export const SECONDARY = '#f28033';
export const TERTIARY = '#339966';
export const SUMMARY_BACKGROUND = '#ababba';
export const GREY = '#808080';
/** matplotlib's "cool" map (cyan → magenta), used for the moving average; Vega has no scheme of that name. */
export const COOL = ['#00ffff', '#ff00ff'];
/** The 2-D histogram's map: transparent to the primary blue. */
export const ALPHA_BLUE = ['#ffffff', PRIMARY];

export const PANEL_WIDTH = 360;
export const PANEL_HEIGHT = 170;

/** A loose Vega-Lite spec: the builders' output, validated by vega-lite's compiler when rendered. */
export type VlSpec = { [key: string]: unknown };

export const FONT = 'DejaVu Sans';
