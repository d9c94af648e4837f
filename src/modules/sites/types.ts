import type { OpeningHours } from './tables.js';

export type { OpeningHours };

export interface SiteInput {
  name: string;
  address?: { street?: string | undefined; city?: string | undefined; postalCode?: string | undefined; country?: string | undefined } | undefined;
  coordinates?: { latitude: number; longitude: number } | undefined;
  timeZone: string;
  openingHours?: OpeningHours | undefined;
}

export interface SiteView {
  id: string;
  name: string;
  address: { street: string | null; city: string | null; postalCode: string | null; country: string | null };
  coordinates: { latitude: number; longitude: number } | null;
  timeZone: string;
  openingHours: OpeningHours;
  createdAt: string;
}
