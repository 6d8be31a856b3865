import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ArmClients } from '../../../src/azure/armClients';
import { enableSelfDeallocation, PermissionMissing, readSelfDeallocation } from '../../../src/azure/vmSelfDeallocation';
import { type ArmStandIn, loadCloudSpec, startArmStandIn } from '../../sandbox/arm';
import { standInClients } from '../azure/standInClients';

/** Giving a VM what its watchdog needs: the Azure layer against the stand-in's identity and role routes. */
describe("a VM's identity and its role on itself, through Resource Manager", function () {
  this.timeout(60_000);
  const VM = 'gpu-a100-1';
  let stateDir: string;
  let arm: ArmStandIn;
  let clients: ArmClients;
  let vmId: string;

  before(async () => {
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'self-deallocation-'));
    arm = await startArmStandIn({ stateDir, cloud: loadCloudSpec(), operationMs: 100 });
    clients = standInClients(arm, { maxRetries: 0 });
    vmId = arm.state.vmNamed(VM).id;
  });

  after(async () => {
    clients?.dispose();
    await arm.close();
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  beforeEach(() => {
    arm.faults.clear();
    arm.identities.revokeAll(VM);
  });

  it('finds no identity, enables it with Virtual Machine Contributor on the VM alone, then finds it may deallocate', async () => {
    assert.deepStrictEqual(await readSelfDeallocation(clients, vmId), { mayDeallocate: false });
    const enabled = await enableSelfDeallocation(clients, vmId);
    assert.strictEqual(enabled.principalId, arm.identities.principalOf(VM));
    assert.deepStrictEqual(
      arm.identities.assignmentsAt(vmId).map((each) => [each.scope, each.roleDefinitionName]),
      [[vmId, 'Virtual Machine Contributor']],
    );
    assert.deepStrictEqual(await readSelfDeallocation(clients, vmId), { principalId: enabled.principalId, mayDeallocate: true });
  });

  it('finds an identity without a role as unable to deallocate, and enabling again adds the role once', async () => {
    arm.identities.enable(VM);
    const found = await readSelfDeallocation(clients, vmId);
    assert.strictEqual(found.mayDeallocate, false);
    assert.strictEqual(found.principalId, arm.identities.principalOf(VM));
    await enableSelfDeallocation(clients, vmId);
    await enableSelfDeallocation(clients, vmId); // 409 RoleAssignmentExists is success
    assert.strictEqual(arm.identities.assignmentsAt(vmId).length, 1);
  });

  it('says which permission is missing when the user may not assign roles', async () => {
    arm.faults.add({ kind: 'forbidden', method: 'PUT', path: '/providers/Microsoft\\.Authorization/roleAssignments/' });
    await assert.rejects(enableSelfDeallocation(clients, vmId), (error: unknown) => {
      assert.ok(error instanceof PermissionMissing, String(error));
      assert.strictEqual(error.permission, 'Microsoft.Authorization/roleAssignments/write');
      assert.match(error.message, /lacks Microsoft\.Authorization\/roleAssignments\/write/);
      return true;
    });
    assert.strictEqual(arm.identities.assignmentsAt(vmId).length, 0);
  });
});
