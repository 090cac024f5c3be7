"""Business rules of the backend, one module per area; routers only translate HTTP."""
