/** Anything that releases what it holds when disposed; vscode.Disposable has this shape. */
export interface DisposableLike {
  dispose(): void;
}

/** Owns child disposables and disposes them, newest first, when it is disposed. */
export abstract class Disposable implements DisposableLike {
  private readonly children: DisposableLike[] = [];
  private disposed = false;

  protected register<T extends DisposableLike>(child: T): T {
    if (this.disposed) {
      child.dispose();
    } else {
      this.children.push(child);
    }
    return child;
  }

  protected get isDisposed(): boolean {
    return this.disposed;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const child of this.children.splice(0).reverse()) child.dispose();
  }
}
