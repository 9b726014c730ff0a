// Where each DeepOBS data set comes from and how it is checked: the addresses of DeepOBS's
// deepobs_prepare_data.sh (mirrors after them), byte sizes and SHA-256 digests as published in TensorFlow
// Datasets' url_checksums (mnist, fashion_mnist, cifar10, cifar100, svhn_cropped), which match the originals.
//
// | data set | file                        | bytes       | SHA-256 known? |
// |----------|-----------------------------|-------------|----------------|
// | mnist    | 4 × *-ubyte.gz              | see below   | yes (TFDS)     |
// | fmnist   | 4 × *-ubyte.gz              | see below   | yes (TFDS)     |
// | cifar10  | cifar-10-binary.tar.gz      | 170,052,171 | yes (TFDS)     |
// | cifar100 | cifar-100-binary.tar.gz     | 168,513,733 | yes (TFDS)     |
// | svhn     | train_32x32.mat, test_…mat  | see below   | yes (TFDS)     |
// | tolstoi  | war-and-peace.txt           | unknown     | NO: no digest is published for DeepOBS's copy;
// |          |                             |             | the first download records its digest next to
// |          |                             |             | the file and warns; later downloads must match it |
import type { PrepareStep } from './prepare.js';

export interface RemoteFile {
  /** File name on disk (and the last part of every address). */
  name: string;
  /** Addresses tried in order; the first is DeepOBS's. */
  urls: string[];
  /** Expected size in bytes, when known. */
  size?: number;
  /** Expected SHA-256 (hex), or undefined where none is published (record-and-warn). */
  sha256?: string;
}

export interface DataSetSource {
  /** The `deepobs data download <name>` name, as in the data readers. */
  name: string;
  /** Folder under the data directory (DeepOBS layout). */
  folder: string;
  files: RemoteFile[];
  /** Turns the downloads into what the readers expect; none for MNIST-style .gz files. */
  prepare?: PrepareStep;
  /** Files that exist in the folder once the data set is ready. */
  outputs: string[];
  /** Remove the downloaded files after preparing them (archives, .mat), as DeepOBS's script does. */
  removeDownloads: boolean;
}

const IDX = ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'];

/** MNIST-style data: the four gzipped IDX files, used as downloaded. */
const idxSource = (name: string, bases: string[], digests: Record<string, [number, string]>): DataSetSource => ({
  name,
  folder: name,
  files: IDX.map((file) => ({ name: file, urls: bases.map((b) => b + file), size: digests[file]![0], sha256: digests[file]![1] })),
  outputs: IDX,
  removeDownloads: false,
});

const KRIZHEVSKY = 'https://www.cs.toronto.edu/~kriz/';

/** A CIFAR binary archive, extracted like `tar -xf … --strip 1` into the DeepOBS folder. */
const cifarSource = (name: string, folder: string, size: number, sha256: string, outputs: string[]): DataSetSource => ({
  name,
  folder,
  files: [{ name: `${folder}-binary.tar.gz`, urls: [`${KRIZHEVSKY}${folder}-binary.tar.gz`], size, sha256 }],
  prepare: { kind: 'untar', stripComponents: 1 },
  outputs,
  removeDownloads: true,
});
const SVHN = 'http://ufldl.stanford.edu/housenumbers/';

export const DATA_SOURCES: Readonly<Record<string, DataSetSource>> = {
  mnist: idxSource(
    'mnist',
    ['http://yann.lecun.com/exdb/mnist/', 'https://ossci-datasets.s3.amazonaws.com/mnist/', 'https://storage.googleapis.com/cvdf-datasets/mnist/'],
    {
      'train-images-idx3-ubyte.gz': [9912422, '440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609'],
      'train-labels-idx1-ubyte.gz': [28881, '3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c'],
      't10k-images-idx3-ubyte.gz': [1648877, '8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6'],
      't10k-labels-idx1-ubyte.gz': [4542, 'f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6'],
    },
  ),
  fmnist: idxSource(
    'fmnist',
    [
      'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/',
      'https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/',
    ],
    {
      'train-images-idx3-ubyte.gz': [26421880, '3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84'],
      'train-labels-idx1-ubyte.gz': [29515, 'a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845'],
      't10k-images-idx3-ubyte.gz': [4422102, '346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073'],
      't10k-labels-idx1-ubyte.gz': [5148, '67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5'],
    },
  ),
  cifar10: cifarSource('cifar10', 'cifar-10', 170052171, 'c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd', [
    ...[1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`),
    'test_batch.bin',
  ]),
  cifar100: cifarSource('cifar100', 'cifar-100', 168513733, '58a81ae192c23a4be8b1804d68e518ed807d710a4eb253b1f2a199162a40d8ec', [
    'train.bin',
    'test.bin',
  ]),
  svhn: {
    name: 'svhn',
    folder: 'svhn',
    files: [
      {
        name: 'train_32x32.mat',
        urls: [`${SVHN}train_32x32.mat`],
        size: 182040794,
        sha256: '435e94d69a87fde4fd4d7f3dd208dfc32cb6ae8af2240d066de1df7508d083b8',
      },
      {
        name: 'test_32x32.mat',
        urls: [`${SVHN}test_32x32.mat`],
        size: 64275384,
        sha256: 'cdce80dfb2a2c4c6160906d0bd7c68ec5a99d7ca4831afa54f09182025b6a75b',
      },
    ],
    prepare: { kind: 'svhn' },
    outputs: [...[0, 1, 2, 3, 4].map((i) => `data_batch_${i}.bin`), 'test_batch.bin'],
    removeDownloads: true,
  },
  tolstoi: {
    name: 'tolstoi',
    folder: 'tolstoi',
    files: [
      {
        name: 'war-and-peace.txt',
        urls: ['https://github.com/AllenDowney/fluent-python-notebooks/raw/master/attic/sequences/war-and-peace.txt'],
      },
    ],
    prepare: { kind: 'tolstoi' },
    outputs: ['train.npy', 'test.npy', 'vocab.json'],
    removeDownloads: false,
  },
};

/** The source of `name`, or an error listing the data sets that can be downloaded. */
export function getDataSource(name: string): DataSetSource {
  const source = DATA_SOURCES[name];
  if (!source) {
    const manual = name === 'imagenet' ? ' ImageNet cannot be downloaded automatically (see the DeepOBS docs).' : '';
    throw new Error(`no download for data set "${name}".${manual} Downloadable: ${Object.keys(DATA_SOURCES).join(', ')}`);
  }
  return source;
}
