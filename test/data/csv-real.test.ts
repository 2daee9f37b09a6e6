// The real files in the shared data directory (see test/util/data.ts for BSFNET_DATA / skipping).
import { it, expect } from "vitest";
import { readCsv, readCsvSync } from "../../src/data/csv-node.js";
import { classCounts, validateDataset } from "../../src/data/dataset.js";
import { describeWithData } from "../util/data.js";

describeWithData("UCI Wine (wine/wine.data)", "wine/wine.data", (path) => {
  it("has 178 rows, 13 features, classes 59/71/48", async () => {
    const ds = await readCsv(path, { header: false, label: 0 });
    expect(ds.n).toBe(178);
    expect(ds.d).toBe(13);
    expect(ds.delimiter).toBe(",");
    expect(ds.classNames).toEqual(["1", "2", "3"]);
    expect(classCounts(ds.y, 3)).toEqual([59, 71, 48]);
    expect(ds.categories).toEqual([]);
    validateDataset(ds);
    // First row: 1,14.23,1.71,2.43,15.6,127,2.8,3.06,.28,2.29,5.64,1.04,3.92,1065
    expect(Array.from(ds.x.subarray(0, 13))).toEqual(
      [14.23, 1.71, 2.43, 15.6, 127, 2.8, 3.06, 0.28, 2.29, 5.64, 1.04, 3.92, 1065].map(Math.fround),
    );
    // Last row's proline.
    expect(ds.x[177 * 13 + 12]).toBe(560);
  });
});

describeWithData("UCI Musk v2 (musk2/clean2.tsv.gz)", "musk2/clean2.tsv.gz", (path) => {
  it("has 6598 rows; label target; 166 features without the molecule/conformation ids", async () => {
    const ds = await readCsv(path, { label: "target", drop: ["molecule_name", "conformation_name"] });
    expect(ds.n).toBe(6598);
    expect(ds.d).toBe(166);
    expect(ds.delimiter).toBe("\t");
    expect(ds.featureNames[0]).toBe("f1");
    expect(ds.featureNames[165]).toBe("f166");
    expect(ds.classNames).toEqual(["0", "1"]);
    expect(classCounts(ds.y, 2)).toEqual([5581, 1017]);
    expect(ds.x[0]).toBe(46); // first row's f1 is "46.0"
    validateDataset(ds);
    const sync = readCsvSync(path, { label: "target", drop: ["molecule_name", "conformation_name"] });
    expect(Buffer.compare(Buffer.from(sync.x.buffer), Buffer.from(ds.x.buffer))).toBe(0); // toEqual is slow on 1M floats
  });
});

describeWithData("NSL-KDD (nsl-kdd/KDDTrain+_20Percent.txt)", "nsl-kdd/KDDTrain+_20Percent.txt", (path) => {
  it("encodes protocol/service/flag, label second to last, difficulty dropped", async () => {
    const ds = await readCsv(path, { header: false, label: -2, drop: [-1] });
    expect(ds.n).toBe(25192);
    expect(ds.d).toBe(41);
    expect(ds.classNames.length).toBe(22);
    expect(ds.categories.map((c) => c.column)).toEqual(["c1", "c2", "c3"]);
    expect(ds.categories[0].values.sort()).toEqual(["icmp", "tcp", "udp"]);
    const counts = classCounts(ds.y, ds.classNames.length);
    expect(counts[ds.classNames.indexOf("normal")]).toBe(13449);
    expect(counts[ds.classNames.indexOf("neptune")]).toBe(8282);
    validateDataset(ds);
  });
});

describeWithData(
  "NSL-KDD test set read with the training encoding",
  ["nsl-kdd/KDDTrain+_20Percent.txt", "nsl-kdd/KDDTest+.txt"],
  (trainPath, testPath) => {
    it("keeps the training codes; the test labels unseen in training come after the 22 training classes", async () => {
      const opts = { header: false, label: -2, drop: [-1] };
      const train = await readCsv(trainPath, opts);
      const test = await readCsv(testPath, { ...opts, encoding: train });
      expect(test.n).toBe(22544);
      expect(test.classNames.slice(0, 22)).toEqual(train.classNames);
      const present = classCounts(test.y, test.classNames.length).filter((c) => c > 0).length;
      expect(present).toBe(38); // the test set's 38 labels
      const unseen = test.classNames.slice(22);
      expect(unseen.every((c) => !train.classNames.includes(c))).toBe(true);
      expect(unseen).toEqual([...unseen].sort());
      expect(test.classNames.length).toBe(40); // 2 training classes do not occur in KDDTest+
      expect(classCounts(test.y, 40)[test.classNames.indexOf("normal")]).toBe(9711);
      for (let i = 0; i < 3; i++) {
        const tv = test.categories[i].values;
        expect(tv.slice(0, train.categories[i].values.length)).toEqual(train.categories[i].values);
      }
    });
  },
);
