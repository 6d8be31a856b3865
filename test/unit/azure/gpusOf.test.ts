import * as assert from 'assert';
import { gpusOf } from '../../../src/azure/machines';
import type { SizeFacts } from '../../../src/azure/skuCatalog';

const skuSaying = (gpus: number): SizeFacts => ({ gpus });

describe('GPUs of a size', () => {
  it("shows a partitioned GPU as the catalog's fraction, though its SKU says GPUs: 1", () => {
    assert.strictEqual(gpusOf('Standard_NV6ads_A10_v5', skuSaying(1))?.count, 1 / 6);
    assert.strictEqual(gpusOf('Standard_NV4as_v4', skuSaying(1))?.count, 1 / 8);
    assert.strictEqual(gpusOf('Standard_NV4as_v4', skuSaying(1))?.model?.name, 'MI25');
  });

  it('takes the count from the SKU for whole GPUs, and from the catalog when the SKU is unknown', () => {
    assert.strictEqual(gpusOf('Standard_NC48ads_A100_v4', skuSaying(2))?.count, 2);
    assert.strictEqual(gpusOf('Standard_NC192ads_A100_v4', skuSaying(8))?.count, 8, 'a size newer than the table');
    assert.strictEqual(gpusOf('Standard_NV12s_v3', undefined)?.count, 1);
    assert.strictEqual(gpusOf('Standard_D4s_v5', skuSaying(0)), undefined);
  });
});
