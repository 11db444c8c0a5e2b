import { describe, expect, it } from 'vitest';
import { applyBranding, brandingVariables, contrastRatio, readableTextOn } from './branding';

describe('branding', () => {
  it('Text_on_a_dark_colour_is_white_and_on_a_light_colour_black', () => {
    expect(readableTextOn('#1f4e8c')).toBe('#ffffff');
    expect(readableTextOn('#ffeb3b')).toBe('#000000');
    expect(readableTextOn('#ffffff')).toBe('#000000');
  });

  it('Chosen_text_colour_meets_the_WCAG_large_text_contrast', () => {
    for (const colour of ['#ff0000', '#00ff00', '#0000ff', '#808080', '#123456', '#abcdef']) {
      expect(contrastRatio(colour, readableTextOn(colour))).toBeGreaterThanOrEqual(3);
    }
  });

  it('Invalid_colours_are_left_to_the_theme', () => {
    expect(brandingVariables({ primaryColor: '#AA0000', secondaryColor: 'red', accentColor: '#00aa00' })).toEqual({
      '--brand-primary': '#aa0000',
      '--brand-primary-text': '#ffffff',
      '--brand-accent': '#00aa00',
      '--brand-accent-text': '#000000',
    });
  });

  it('Applying_null_removes_a_previous_tenants_colours', () => {
    const props = new Map<string, string>();
    const target = { style: { setProperty: (n: string, v: string) => props.set(n, v), removeProperty: (n: string) => props.delete(n) } };

    applyBranding(target, { primaryColor: '#aa0000', secondaryColor: '#00aa00', accentColor: '#0000aa' });
    expect(props.get('--brand-primary')).toBe('#aa0000');
    expect(props.size).toBe(6);

    applyBranding(target, null);
    expect(props.size).toBe(0);
  });
});
