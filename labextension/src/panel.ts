/**
 * The schema browser: the connection of the current notebook's Milvus kernel, its databases, and
 * each database's collections (rows, load state, indexes) with their fields. Everything
 * comes from the kernel over the comm target `milvus_kernel.schema`; the panel never opens a
 * connection of its own, and the kernel sends no password or token.
 */
import { INotebookTracker } from '@jupyterlab/notebook';
import { Kernel } from '@jupyterlab/services';
import { Widget } from '@lumino/widgets';
import { Message } from '@lumino/messaging';

export const COMM_TARGET = 'milvus_kernel.schema';
export const KERNEL_NAME = 'milvus';

interface Field {
  name: string;
  type: string;
  primary: boolean;
  dim: number | null;
  index: string | null;
}
interface Collection {
  name: string;
  rows: number;
  load_state: string;
  fields: Field[];
}
interface Schema {
  connected: boolean;
  uri?: string;
  database?: string;
  databases: string[];
  collections: Collection[]; // of the current database
  elsewhere?: { [database: string]: Collection[] }; // of the others
}

function element(tag: string, className: string, text = ''): HTMLElement {
  const node = document.createElement(tag);
  node.className = className;
  node.textContent = text;
  return node;
}

export class SchemaPanel extends Widget {
  private body: HTMLElement;
  private comm: Kernel.IComm | null = null;
  private commKernel: Kernel.IKernelConnection | null = null;
  private expanded = new Set<string>(); // collections shown open stay open on a refresh

  constructor(private tracker: INotebookTracker) {
    super();
    this.id = 'milvus-schema';
    this.addClass('milvus-schema');
    this.title.caption = 'Milvus schema';
    this.title.label = 'Milvus';
    const bar = element('div', 'milvus-schema-bar');
    const refresh = element('button', 'milvus-schema-refresh jp-Button', 'Refresh');
    refresh.onclick = () => void this.refresh();
    bar.append(element('span', 'milvus-schema-heading', 'Milvus schema'), refresh);
    this.body = element('div', 'milvus-schema-body');
    this.node.append(bar, this.body);
    tracker.currentChanged.connect(() => void this.refresh());
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    void this.refresh();
  }

  private kernel(): Kernel.IKernelConnection | null {
    const kernel = this.tracker.currentWidget?.sessionContext.session?.kernel ?? null;
    return kernel && kernel.name === KERNEL_NAME ? kernel : null;
  }

  async refresh(): Promise<void> {
    const kernel = this.kernel();
    if (!kernel) {
      this.comm = null;
      this.show_text('Open a notebook on the Milvus SQL kernel.');
      return;
    }
    if (!this.comm || this.comm.isDisposed || this.commKernel !== kernel) {
      this.comm = kernel.createComm(COMM_TARGET);
      this.commKernel = kernel;
      this.comm.onMsg = msg => this.render(msg.content.data as unknown as Schema);
      this.comm.onClose = () => {
        this.comm = null;
      };
      this.comm.open({ request: 'schema' });
    } else {
      this.comm.send({ request: 'schema' });
    }
  }

  private show_text(text: string): void {
    this.body.replaceChildren(element('div', 'milvus-schema-note', text));
  }

  private render(schema: Schema): void {
    if (!schema.connected) {
      this.show_text('Not connected yet: run CONNECT (or any statement) in the notebook.');
      return;
    }
    const tree = element('ul', 'milvus-schema-tree');
    tree.append(element('li', 'milvus-schema-connection', schema.uri ?? ''));
    // the current database first, marked; the others after it, as the server lists them
    const databases = [...schema.databases].sort(
      (a, b) => Number(b === schema.database) - Number(a === schema.database)
    );
    for (const database of databases) {
      const item = element('li', 'milvus-schema-database');
      const current = database === schema.database;
      item.append(this.name(database, 'milvus-schema-database-name'));
      if (current) {
        item.append(element('span', 'milvus-schema-meta', ' · current'));
      }
      const listed = current ? schema.collections : schema.elsewhere?.[database];
      if (listed) {
        const collections = element('ul', 'milvus-schema-collections');
        for (const collection of listed) {
          collections.append(this.collection(collection, database));
        }
        item.append(collections);
      }
      tree.append(item);
    }
    this.body.replaceChildren(tree);
  }

  private collection(collection: Collection, database: string): HTMLElement {
    const item = element('li', 'milvus-schema-collection');
    item.dataset.database = database;
    const key = `${database}.${collection.name}`;
    const details = document.createElement('details');
    details.open = this.expanded.has(key);
    details.ontoggle = () => {
      if (details.open) {
        this.expanded.add(key);
      } else {
        this.expanded.delete(key);
      }
    };
    const summary = document.createElement('summary');
    summary.append(
      this.name(collection.name, 'milvus-schema-collection-name'),
      element('span', 'milvus-schema-meta', ` ${collection.rows} rows · ${collection.load_state}`)
    );
    const fields = element('ul', 'milvus-schema-fields');
    for (const field of collection.fields) {
      const meta = [field.type, field.primary ? 'primary key' : '', field.index ?? '']
        .filter(Boolean)
        .join(' · ');
      const row = element('li', 'milvus-schema-field');
      row.append(
        this.name(field.name, 'milvus-schema-field-name'),
        element('span', 'milvus-schema-meta', ` ${meta}`)
      );
      fields.append(row);
    }
    details.append(summary, fields);
    item.append(details);
    return item;
  }

  /** A name; double-click inserts it at the cursor of the active cell. */
  private name(text: string, className: string): HTMLElement {
    const node = element('span', `milvus-schema-name ${className}`, text);
    node.ondblclick = event => {
      event.preventDefault();
      const editor = this.tracker.activeCell?.editor;
      if (editor) {
        const quoted = /^[A-Za-z_][A-Za-z0-9_]*$/.test(text) ? text : `\`${text}\``;
        editor.replaceSelection?.(quoted);
        editor.focus();
      }
    };
    return node;
  }
}
