/** A tenant's branding as CSS custom properties on the document root, which every style reads. */

export interface BrandColours {
  primaryColor: string;
  secondaryColor: string;
  accentColor: string;
}

const hex = /^#[0-9a-fA-F]{6}$/;

export function isHexColour(value: string): boolean {
  return hex.test(value);
}

/** WCAG 2 relative luminance of a #rrggbb colour. */
export function luminance(colour: string): number {
  const channel = (offset: number) => {
    const c = parseInt(colour.slice(offset, offset + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/** Black or white, whichever reads better on the colour: a tenant may pick any colour, text must stay legible. */
export function readableTextOn(colour: string): '#000000' | '#ffffff' {
  return contrastRatio(colour, '#000000') >= contrastRatio(colour, '#ffffff') ? '#000000' : '#ffffff';
}

export const brandVariableNames = [
  '--brand-primary', '--brand-primary-text', '--brand-secondary', '--brand-secondary-text', '--brand-accent', '--brand-accent-text',
] as const;

/** The custom properties for the colours; invalid colours are left out so the theme's defaults apply. */
export function brandingVariables(colours: BrandColours): Record<string, string> {
  const vars: Record<string, string> = {};
  const pairs: [string, string][] = [
    ['--brand-primary', colours.primaryColor],
    ['--brand-secondary', colours.secondaryColor],
    ['--brand-accent', colours.accentColor],
  ];
  for (const [name, colour] of pairs) {
    if (isHexColour(colour)) {
      vars[name] = colour.toLowerCase();
      vars[`${name}-text`] = readableTextOn(colour);
    }
  }
  return vars;
}

interface StyleTarget {
  style: { setProperty(name: string, value: string): void; removeProperty(name: string): unknown };
}

/** Sets the tenant's colours, or (null) removes them so the theme's defaults show again. */
export function applyBranding(target: StyleTarget, colours: BrandColours | null): void {
  for (const name of brandVariableNames) {
    target.style.removeProperty(name);
  }
  if (colours) {
    for (const [name, value] of Object.entries(brandingVariables(colours))) {
      target.style.setProperty(name, value);
    }
  }
}
