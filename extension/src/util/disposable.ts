/** Anything that can be disposed: vscode.Disposable, vscode-jsonrpc's Disposable, or our own. */
export interface Disposable {
  dispose(): unknown;
}

/** Collects disposables and disposes them in reverse order, once. */
export class DisposableStore implements Disposable {
  private items: Disposable[] = [];
  private disposed = false;

  add<T extends Disposable>(item: T): T {
    if (this.disposed) {
      item.dispose();
    } else {
      this.items.push(item);
    }
    return item;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const items = this.items.reverse();
    this.items = [];
    for (const item of items) {
      try {
        item.dispose();
      } catch (err) {
        console.error('runtime-lens: dispose failed:', err);
      }
    }
  }
}
