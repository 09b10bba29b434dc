// Owns: the account area's forms as they arrive: bounded strings only (the accounts domain
// judges the values).
import { z } from 'zod';
import { formField as field } from '../pages/forms.ts';

export const profileForm = z.object({
  given_name: field,
  family_name: field,
  matai_title: field,
  preferred_name: field,
  village: field,
  district: field,
  locale: field,
});

export const passwordForm = z.object({ current_password: field, new_password: field });
