import * as assert from 'assert';
import { findGpuFamily, GPU_FAMILIES, gpuModelLabel } from '../../../src/azure/gpuCatalog';

/** What the catalog must say of a size: series, model label, vendor, GPU count. */
function expectSize(size: string, series: string, label: string, count: number | undefined, vendor: 'NVIDIA' | 'AMD' = 'NVIDIA'): void {
  const found = findGpuFamily(size);
  assert.ok(found, `${size} should be a GPU size`);
  assert.strictEqual(found.family.series, series, size);
  assert.strictEqual(gpuModelLabel(found.family.gpu), label, size);
  assert.strictEqual(found.family.gpu.vendor, vendor, size);
  assert.strictEqual(found.catalogCount, count, size);
}

describe('GPU catalog', () => {
  it('NCv3: V100 16GB, 1 to 4 GPUs', () => {
    expectSize('Standard_NC6s_v3', 'NCv3', 'V100 16GB', 1);
    expectSize('Standard_NC24rs_v3', 'NCv3', 'V100 16GB', 4);
  });

  it('NDv2: 8× V100 32GB', () => {
    expectSize('Standard_ND40rs_v2', 'NDv2', 'V100 32GB', 8);
  });

  it('NCasT4_v3: T4 16GB, case-insensitive size names', () => {
    expectSize('Standard_NC4as_T4_v3', 'NCasT4_v3', 'T4 16GB', 1);
    expectSize('standard_nc64as_t4_v3', 'NCasT4_v3', 'T4 16GB', 4);
  });

  it('NVv3: M60 8GB, 1 to 4 GPUs', () => {
    expectSize('Standard_NV12s_v3', 'NVv3', 'M60 8GB', 1);
    expectSize('Standard_NV48s_v3', 'NVv3', 'M60 8GB', 4);
  });

  it('NVv4: AMD MI25 16GB, from 1/8 of one to one whole GPU', () => {
    expectSize('Standard_NV4as_v4', 'NVv4', 'MI25 16GB', 1 / 8, 'AMD');
    expectSize('Standard_NV16as_v4', 'NVv4', 'MI25 16GB', 1 / 2, 'AMD');
    expectSize('Standard_NV32as_v4', 'NVv4', 'MI25 16GB', 1, 'AMD');
  });

  it('NVadsA10 v5: A10 24GB, partitioned on the small sizes', () => {
    expectSize('Standard_NV6ads_A10_v5', 'NVadsA10 v5', 'A10 24GB', 1 / 6);
    expectSize('Standard_NV36adms_A10_v5', 'NVadsA10 v5', 'A10 24GB', 1);
    expectSize('Standard_NV72ads_A10_v5', 'NVadsA10 v5', 'A10 24GB', 2);
  });

  it('NC A100 v4: A100 80GB PCIe, 1 to 4 GPUs', () => {
    expectSize('Standard_NC24ads_A100_v4', 'NC A100 v4', 'A100 80GB', 1);
    expectSize('Standard_NC96ads_A100_v4', 'NC A100 v4', 'A100 80GB', 4);
  });

  it('ND A100 v4: 8× A100 40GB', () => {
    expectSize('Standard_ND96asr_v4', 'ND A100 v4', 'A100 40GB', 8);
  });

  it('NDm A100 v4: 8× A100 80GB', () => {
    expectSize('Standard_ND96amsr_A100_v4', 'NDm A100 v4', 'A100 80GB', 8);
  });

  it('NC H100 v5: H100 NVL 94GB', () => {
    expectSize('Standard_NC40ads_H100_v5', 'NC H100 v5', 'H100 NVL 94GB', 1);
    expectSize('Standard_NC80adis_H100_v5', 'NC H100 v5', 'H100 NVL 94GB', 2);
  });

  it('NCCads H100 v5 (confidential): H100 NVL 94GB', () => {
    expectSize('Standard_NCC40ads_H100_v5', 'NCCads H100 v5', 'H100 NVL 94GB', 1);
  });

  it('ND H100 v5: 8× H100 80GB', () => {
    expectSize('Standard_ND96isr_H100_v5', 'ND H100 v5', 'H100 80GB', 8);
  });

  it('ND H200 v5: 8× H200 141GB', () => {
    expectSize('Standard_ND96isr_H200_v5', 'ND H200 v5', 'H200 141GB', 8);
  });

  it('ND GB200 v6: 4× GB200', () => {
    expectSize('Standard_ND128isr_NDR_GB200_v6', 'ND GB200 v6', 'GB200 186GB', 4);
  });

  it('ND MI300X v5: 8× AMD MI300X 192GB', () => {
    expectSize('Standard_ND96isr_MI300X_v5', 'ND MI300X v5', 'MI300X 192GB', 8, 'AMD');
  });

  it('NGads V620: AMD Radeon PRO V620, partitioned on the small sizes', () => {
    expectSize('Standard_NG8ads_V620_v1', 'NGads V620', 'Radeon PRO V620 32GB', 1 / 4, 'AMD');
    expectSize('Standard_NG32ads_V620_v1', 'NGads V620', 'Radeon PRO V620 32GB', 1, 'AMD');
  });

  it('knows a size newer than the table by its family pattern, without a count', () => {
    expectSize('Standard_NC192ads_A100_v4', 'NC A100 v4', 'A100 80GB', undefined);
    expectSize('Standard_ND48isr_H200_v5', 'ND H200 v5', 'H200 141GB', undefined);
  });

  it('finds no GPU in CPU sizes', () => {
    for (const size of ['Standard_D4s_v5', 'Standard_E64s_v5', 'Standard_F72s_v2', 'Standard_NC_fake', 'Standard_HB120rs_v3']) {
      assert.strictEqual(findGpuFamily(size), undefined, size);
    }
  });

  it('lists each size under exactly one family, matched by its own pattern', () => {
    for (const family of GPU_FAMILIES) {
      for (const size of Object.keys(family.sizes)) {
        assert.ok(family.pattern.test(size), `${family.series} pattern misses ${size}`);
        const others = GPU_FAMILIES.filter((f) => f !== family && f.pattern.test(size)).map((f) => f.series);
        assert.deepStrictEqual(others, [], `${size} also matches ${others.join(', ')}`);
      }
    }
  });
});
