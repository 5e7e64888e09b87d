import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { resourcePath } from '../platform/project-root.js';

const text = z.string().trim().min(1);

export const companyProfileSchema = z
  .object({
    company: z.object({ name: text, city: text, description: text }),
    employees: z.number().int().min(0),
    districts: z.array(z.object({ name: text, houses: z.number().int().min(0) })).min(1),
    brigades: z.array(z.object({ number: z.number().int().min(1), districts: z.array(text) })),
    clients: z.object({ total: z.number().int().min(0), kinds: z.array(text) }),
    services: z.array(z.object({ name: text, frequency: text })),
    schedule: text,
    quality: text,
    pricing: text,
  })
  .superRefine((profile, context) => {
    const known = new Set(profile.districts.map((district) => district.name));
    for (const [index, brigade] of profile.brigades.entries()) {
      for (const district of brigade.districts) {
        if (!known.has(district)) {
          context.addIssue({
            code: 'custom',
            path: ['brigades', index, 'districts'],
            message: `unknown district "${district}"`,
          });
        }
      }
    }
  });

export type CompanyProfileData = z.infer<typeof companyProfileSchema>;

export interface CompanyProfile extends CompanyProfileData {
  totalHouses: number;
}

export const DEFAULT_COMPANY_PROFILE_PATH = resourcePath('company-profile.json');

/** Reads and validates the company profile; a broken file stops start-up with the reason. */
export function loadCompanyProfile(file = DEFAULT_COMPANY_PROFILE_PATH): CompanyProfile {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`COMPANY_PROFILE_PATH: cannot read ${file} as JSON: ${(error as Error).message}`);
  }
  const parsed = companyProfileSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`COMPANY_PROFILE_PATH: ${file} is not a valid company profile: ${problems.join('; ')}`);
  }
  const profile = parsed.data;
  return {
    ...profile,
    totalHouses: profile.districts.reduce((sum, district) => sum + district.houses, 0),
  };
}
