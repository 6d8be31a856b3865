import * as assert from 'assert';
import { errorMessage, isUserCancelled, UserCancelledError } from '../../../src/common/errors';

describe('isUserCancelled', () => {
  it('knows the error by its class and, from another bundle, by its name', () => {
    assert.ok(isUserCancelled(new UserCancelledError()));
    const fromOtherBundle = new Error('Cancelled by the user.');
    fromOtherBundle.name = 'UserCancelledError';
    assert.ok(isUserCancelled(fromOtherBundle));
    assert.ok(!isUserCancelled(new Error('Cancelled')));
    assert.ok(!isUserCancelled('UserCancelledError'));
  });
});

describe('errorMessage', () => {
  it('is the message of an Error, or the thing thrown as text', () => {
    assert.strictEqual(errorMessage(new UserCancelledError()), 'Cancelled by the user.');
    assert.strictEqual(errorMessage('plain'), 'plain');
  });
});
