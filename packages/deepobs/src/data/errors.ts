/** A data set that is not on disk: says which files were looked for and how to get them. */
export class DataSetMissingError extends Error {
  constructor(
    readonly dataset: string,
    readonly missing: string[],
    dataDir: string,
  ) {
    super(
      `data set "${dataset}" not found: missing ${missing.join(', ')}. ` +
        `Get it with \`deepobs data download ${dataset} --data-dir ${dataDir}\` ` +
        `(or point --data-dir / DEEPOBS_DATA_DIR at a folder that has it), or use --synthetic for random data of the same shape.`,
    );
    this.name = 'DataSetMissingError';
  }
}
