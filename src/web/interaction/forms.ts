// Owns: the sign-in and sign-up forms as they arrive: bounded strings only (the accounts
// domain judges the values with its own input schemas).
import { z } from 'zod';
import { formField as field } from '../pages/forms.ts';

// `remember` unticked (the default) gives a session that ends when the browser closes:
// phones are often shared in a family.
export const signInForm = z.object({ username: field, password: field, remember: z.literal('yes').optional() });

export const signUpForm = z.object({
  email: field,
  phone_number: field,
  password: field,
  given_name: field,
  family_name: field,
  matai_title: field,
  locale: field,
});

export type SignUpValues = z.infer<typeof signUpForm>;
