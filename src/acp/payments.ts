/**
 * Payments for ACP checkout sessions: a small provider interface, and the one
 * provider shipped — an explicit TEST provider. It moves no money: it answers
 * by the token it is given (documented below) and is refused unless the server
 * runs with `PAYMENTS_MODE=test`. A real provider (a PSP's delegated token,
 * e.g. Stripe's shared payment token) implements the same interface.
 */

/** ACP's PaymentHandler object, advertised in `capabilities.payment.handlers`. */
export interface PaymentHandler {
  id: string;
  name: string;
  display_name?: string;
  version: string;
  spec: string;
  requires_delegate_payment: boolean;
  requires_pci_compliance: boolean;
  psp: string;
  config_schema: string;
  instrument_schemas: string[];
  config: Record<string, unknown>;
}

export interface Authorization {
  amount: number;
  currency: string;
  sessionId: string;
  token: string;
}

export type AuthorizationOutcome =
  | { ok: true; provider: string; reference: string }
  | { ok: false; code: "payment_declined" | "invalid"; message: string };

export interface PaymentProvider {
  handler: PaymentHandler;
  authorize(request: Authorization): Promise<AuthorizationOutcome>;
}

/** The test provider's tokens: the first succeeds, the second is declined; any other token is invalid. */
export const TEST_TOKENS = { success: "unison_test_success", declined: "unison_test_declined" } as const;
export const TEST_HANDLER_ID = "unison_test";

export const testPaymentProvider: PaymentProvider = {
  handler: {
    id: TEST_HANDLER_ID,
    name: "dev.unison.test_token",
    display_name: "Test payments (no money moves)",
    version: "2026-04-17",
    spec: "urn:unison:payment-handler:test",
    requires_delegate_payment: false,
    requires_pci_compliance: false,
    psp: "unison_test",
    config_schema: "urn:unison:payment-handler:test:config",
    instrument_schemas: ["urn:unison:payment-handler:test:instrument"],
    config: { environment: "test", tokens: { ...TEST_TOKENS } },
  },
  async authorize(request) {
    if (request.token === TEST_TOKENS.success) {
      return { ok: true, provider: TEST_HANDLER_ID, reference: `test_auth_${request.sessionId}` };
    }
    if (request.token === TEST_TOKENS.declined) {
      return { ok: false, code: "payment_declined", message: "The test card was declined (test token unison_test_declined)." };
    }
    return {
      ok: false,
      code: "invalid",
      message: `Unknown test token. Use "${TEST_TOKENS.success}" (succeeds) or "${TEST_TOKENS.declined}" (declined).`,
    };
  },
};

/** The providers this server may charge with: none unless `PAYMENTS_MODE=test`. */
export function paymentProviders(mode: "off" | "test"): PaymentProvider[] {
  return mode === "test" ? [testPaymentProvider] : [];
}
