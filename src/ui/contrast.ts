/**
 * WCAG 2.x contrast (Understanding SC 1.4.3: "contrast ratio", "relative luminance"), for the
 * configured accent colour. Colours are #rrggbb.
 */

/** Relative luminance of an sRGB colour (WCAG 2.x definition, sRGB transfer function). */
export function relativeLuminance(hex: string): number {
  const [r = 0, g = 0, b = 0] = [1, 3, 5].map((i) => {
    const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** (L1 + 0.05) / (L2 + 0.05), the lighter colour's luminance on top: 1 to 21. */
export function contrastRatio(a: string, b: string): number {
  const [light, dark] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x);
  return (light! + 0.05) / (dark! + 0.05);
}

/**
 * The text colour for a button of colour `background`: white or black, whichever contrasts
 * more. One of them always reaches 4.5:1 (SC 1.4.3 AA for normal text): the lowest of the
 * two maxima is about 4.58:1, so any accent colour is usable and none is refused.
 */
export function textColorOn(background: string): "#ffffff" | "#000000" {
  return contrastRatio(background, "#ffffff") >= contrastRatio(background, "#000000")
    ? "#ffffff"
    : "#000000";
}
