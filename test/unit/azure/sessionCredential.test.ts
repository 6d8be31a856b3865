import * as assert from 'assert';
import { SignInRequiredError } from '../../../src/azure/azureErrors';
import { jwtExpiry, sessionCredentialSource, type AuthSession } from '../../../src/azure/sessionCredential';

function jwt(claims: object): string {
  return ['e30', Buffer.from(JSON.stringify(claims)).toString('base64url'), 'sig'].join('.');
}

describe('VS Code session credential', () => {
  it("asks for the management scope in the chosen tenant, and takes the token's expiry from its claims", async () => {
    const asked: string[][] = [];
    const exp = Math.floor(Date.now() / 1000) + 3600;
    const session: AuthSession = { accessToken: jwt({ exp }), account: { id: 'a', label: 'user@contoso.com' } };
    const source = sessionCredentialSource((scopes) => (asked.push(scopes), Promise.resolve(session)), 'tenant-1');
    const token = await source.credential().getToken('https://management.azure.com/.default');
    assert.deepStrictEqual(asked, [['https://management.azure.com/.default', 'VSCODE_TENANT:tenant-1']]);
    assert.strictEqual(token?.token, session.accessToken);
    assert.strictEqual(token?.expiresOnTimestamp, exp * 1000);
  });

  it('throws SignInRequiredError when VS Code has no session', async () => {
    const source = sessionCredentialSource(() => Promise.resolve(undefined), undefined);
    await assert.rejects(source.credential().getToken('scope'), SignInRequiredError);
  });

  it('reads no expiry out of a token that is not a JWT', () => {
    assert.strictEqual(jwtExpiry('opaque-token'), undefined);
    assert.strictEqual(jwtExpiry('a.!!!.c'), undefined);
  });
});
