/**
 * Milvus SQL in JupyterLab: the dialect's CodeMirror language for this kernel's mimetype, and a
 * schema browser in the left side panel.
 */
import {
  ILabShell,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { IEditorLanguageRegistry } from '@jupyterlab/codemirror';
import { INotebookTracker } from '@jupyterlab/notebook';
import { MIME, NAME, milvusSqlSupport } from './language';
import { SchemaPanel } from './panel';

const language: JupyterFrontEndPlugin<void> = {
  id: 'milvus-sql-jupyterlab:language',
  description: 'Highlights cells of the Milvus SQL kernel',
  autoStart: true,
  requires: [IEditorLanguageRegistry],
  activate: (app: JupyterFrontEnd, languages: IEditorLanguageRegistry) => {
    languages.addLanguage({
      name: NAME,
      displayName: 'Milvus SQL',
      mime: MIME,
      extensions: [],
      load: async () => milvusSqlSupport()
    });
  }
};

const schema: JupyterFrontEndPlugin<void> = {
  id: 'milvus-sql-jupyterlab:schema',
  description: 'A schema browser that asks the notebook kernel',
  autoStart: true,
  requires: [INotebookTracker, ILabShell],
  activate: (app: JupyterFrontEnd, tracker: INotebookTracker, shell: ILabShell) => {
    const panel = new SchemaPanel(tracker);
    shell.add(panel, 'left', { rank: 600 });
    shell.currentChanged.connect(() => void panel.refresh());
    app.commands.addCommand('milvus-sql:refresh-schema', {
      label: 'Refresh the Milvus schema',
      execute: () => panel.refresh()
    });
  }
};

export default [language, schema];
