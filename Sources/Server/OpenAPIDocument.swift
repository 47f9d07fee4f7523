/// The OpenAPI 3.0 document of the REST API, served at `/openapi.json`.
/// `APITests` checks that it parses and lists every `/api` route the router has.
enum OpenAPIDocument {
    static let json = #"""
{
 "components": {
  "schemas": {
   "ClusterDetail": {
    "properties": {
     "cluster": {
      "$ref": "#/components/schemas/ClusterSummary"
     },
     "items": {
      "items": {
       "$ref": "#/components/schemas/ItemSummary"
      },
      "type": "array"
     }
    },
    "type": "object"
   },
   "ClusterSummary": {
    "properties": {
     "cluster": {
      "type": "integer"
     },
     "meanSilhouette": {
      "nullable": true,
      "type": "number"
     },
     "runID": {
      "type": "integer"
     },
     "size": {
      "type": "integer"
     }
    },
    "type": "object"
   },
   "DuplicateFeedback": {
    "properties": {
     "groupID": {
      "nullable": true,
      "type": "integer"
     },
     "itemA": {
      "type": "integer"
     },
     "itemB": {
      "type": "integer"
     },
     "verdict": {
      "enum": [
       "confirm",
       "reject"
      ],
      "type": "string"
     },
     "who": {
      "nullable": true,
      "type": "string"
     }
    },
    "required": [
     "itemA",
     "itemB",
     "verdict"
    ],
    "type": "object"
   },
   "DuplicateGroup": {
    "properties": {
     "algorithm": {
      "type": "string"
     },
     "id": {
      "type": "integer"
     },
     "keeperItemID": {
      "type": "integer"
     },
     "keeperReason": {
      "type": "string"
     },
     "kind": {
      "type": "string"
     },
     "maxDistance": {
      "type": "integer"
     },
     "runID": {
      "type": "integer"
     },
     "size": {
      "type": "integer"
     }
    },
    "type": "object"
   },
   "DuplicateGroupDetail": {
    "properties": {
     "group": {
      "$ref": "#/components/schemas/DuplicateGroup"
     },
     "members": {
      "items": {
       "properties": {
        "distanceToKeeper": {
         "type": "integer"
        },
        "item": {
         "$ref": "#/components/schemas/ItemSummary"
        }
       },
       "required": [],
       "type": "object"
      },
      "type": "array"
     }
    },
    "type": "object"
   },
   "FeedbackReceipt": {
    "properties": {
     "createdAt": {
      "type": "string"
     },
     "id": {
      "type": "integer"
     }
    },
    "type": "object"
   },
   "ItemDetail": {
    "properties": {
     "cluster": {
      "nullable": true,
      "type": "object"
     },
     "detections": {
      "items": {
       "type": "object"
      },
      "type": "array"
     },
     "duplicateGroup": {
      "allOf": [
       {
        "$ref": "#/components/schemas/DuplicateGroup"
       }
      ],
      "nullable": true
     },
     "item": {
      "$ref": "#/components/schemas/ItemSummary"
     },
     "labels": {
      "items": {
       "$ref": "#/components/schemas/Label"
      },
      "type": "array"
     },
     "predictions": {
      "items": {
       "type": "object"
      },
      "type": "array"
     },
     "qualityFlags": {
      "items": {
       "type": "string"
      },
      "type": "array"
     }
    },
    "required": [
     "item",
     "labels",
     "predictions",
     "detections",
     "qualityFlags"
    ],
    "type": "object"
   },
   "ItemPage": {
    "properties": {
     "items": {
      "items": {
       "$ref": "#/components/schemas/ItemSummary"
      },
      "type": "array"
     },
     "nextCursor": {
      "nullable": true,
      "type": "string"
     }
    },
    "required": [
     "items"
    ],
    "type": "object"
   },
   "ItemSummary": {
    "properties": {
     "creator": {
      "nullable": true,
      "type": "string"
     },
     "dataProvider": {
      "nullable": true,
      "type": "string"
     },
     "height": {
      "nullable": true,
      "type": "integer"
     },
     "id": {
      "type": "integer"
     },
     "labels": {
      "items": {
       "$ref": "#/components/schemas/Label"
      },
      "type": "array"
     },
     "manifest": {
      "type": "string"
     },
     "provider": {
      "nullable": true,
      "type": "string"
     },
     "rights": {
      "nullable": true,
      "type": "string"
     },
     "thumbnail": {
      "type": "string"
     },
     "title": {
      "nullable": true,
      "type": "string"
     },
     "width": {
      "nullable": true,
      "type": "integer"
     }
    },
    "required": [
     "id",
     "thumbnail",
     "manifest",
     "labels"
    ],
    "type": "object"
   },
   "Label": {
    "properties": {
     "concept": {
      "type": "string"
     },
     "confidence": {
      "nullable": true,
      "type": "number"
     },
     "label": {
      "type": "string"
     },
     "origin": {
      "type": "string"
     }
    },
    "required": [
     "concept",
     "label",
     "origin"
    ],
    "type": "object"
   },
   "LabelFeedback": {
    "properties": {
     "concept": {
      "type": "string"
     },
     "correctedConcept": {
      "nullable": true,
      "type": "string"
     },
     "itemID": {
      "type": "integer"
     },
     "verdict": {
      "enum": [
       "accept",
       "correct"
      ],
      "type": "string"
     },
     "who": {
      "nullable": true,
      "type": "string"
     }
    },
    "required": [
     "itemID",
     "concept",
     "verdict"
    ],
    "type": "object"
   },
   "LookupAnswer": {
    "properties": {
     "file": {
      "type": "string"
     },
     "found": {
      "type": "boolean"
     },
     "matches": {
      "items": {
       "type": "object"
      },
      "type": "array"
     },
     "milliseconds": {
      "type": "number"
     },
     "sha256": {
      "nullable": true,
      "type": "string"
     }
    },
    "type": "object"
   },
   "MapPoint": {
    "properties": {
     "colourKey": {
      "type": "string"
     },
     "id": {
      "type": "integer"
     },
     "thumbnail": {
      "type": "string"
     },
     "x": {
      "type": "number"
     },
     "y": {
      "type": "number"
     }
    },
    "type": "object"
   },
   "Problem": {
    "properties": {
     "detail": {
      "type": "string"
     },
     "instance": {
      "type": "string"
     },
     "status": {
      "type": "integer"
     },
     "title": {
      "type": "string"
     },
     "type": {
      "type": "string"
     }
    },
    "required": [
     "title",
     "status",
     "detail"
    ],
    "type": "object"
   },
   "Run": {
    "properties": {
     "config": {
      "type": "string"
     },
     "finishedAt": {
      "nullable": true,
      "type": "string"
     },
     "id": {
      "type": "integer"
     },
     "kind": {
      "type": "string"
     },
     "startedAt": {
      "type": "string"
     },
     "status": {
      "type": "string"
     },
     "summary": {
      "nullable": true,
      "type": "string"
     },
     "toolVersion": {
      "type": "string"
     }
    },
    "type": "object"
   },
   "SimilarFeedback": {
    "properties": {
     "itemID": {
      "type": "integer"
     },
     "relevant": {
      "type": "boolean"
     },
     "similarItemID": {
      "type": "integer"
     },
     "who": {
      "nullable": true,
      "type": "string"
     }
    },
    "required": [
     "itemID",
     "similarItemID",
     "relevant"
    ],
    "type": "object"
   },
   "SimilarPage": {
    "properties": {
     "itemID": {
      "type": "integer"
     },
     "model": {
      "type": "string"
     },
     "neighbours": {
      "items": {
       "properties": {
        "cosine": {
         "type": "number"
        },
        "item": {
         "$ref": "#/components/schemas/ItemSummary"
        }
       },
       "required": [],
       "type": "object"
      },
      "type": "array"
     }
    },
    "type": "object"
   },
   "ThresholdPrecision": {
    "properties": {
     "algorithm": {
      "type": "string"
     },
     "confirmed": {
      "type": "integer"
     },
     "pairs": {
      "type": "integer"
     },
     "precision": {
      "type": "number"
     },
     "threshold": {
      "type": "integer"
     }
    },
    "type": "object"
   }
  },
  "securitySchemes": {
   "bearer": {
    "scheme": "bearer",
    "type": "http"
   }
  }
 },
 "info": {
  "description": "Items, labels, duplicates, clusters, runs and curator feedback of a Vitrine store. Errors are application/problem+json.",
  "title": "Vitrine REST API",
  "version": "0.2.0"
 },
 "openapi": "3.0.3",
 "paths": {
  "/api/clusters": {
   "get": {
    "parameters": [],
    "responses": {
     "200": {
      "content": {
       "application/json": {
        "schema": {
         "items": {
          "$ref": "#/components/schemas/ClusterSummary"
         },
         "type": "array"
        }
       }
      },
      "description": "OK"
     }
    },
    "summary": "Clusters of stored cluster runs"
   }
  },
  "/api/clusters/{runID}/{cluster}": {
   "get": {
    "parameters": [
     {
      "description": "",
      "in": "path",
      "name": "runID",
      "required": true,
      "schema": {
       "type": "integer"
      }
     },
     {
      "description": "",
      "in": "path",
      "name": "cluster",
      "required": true,
      "schema": {
       "type": "integer"
      }
     }
    ],
    "responses": {
     "200": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/ClusterDetail"
        }
       }
      },
      "description": "OK"
     },
     "400": {
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      },
      "description": "Problem (RFC 9457)"
     },
     "404": {
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      },
      "description": "Problem (RFC 9457)"
     }
    },
    "summary": "One cluster's items"
   }
  },
  "/api/duplicates": {
   "get": {
    "parameters": [],
    "responses": {
     "200": {
      "content": {
       "application/json": {
        "schema": {
         "items": {
          "$ref": "#/components/schemas/DuplicateGroup"
         },
         "type": "array"
        }
       }
      },
      "description": "OK"
     }
    },
    "summary": "Duplicate groups, newest run first"
   }
  },
  "/api/duplicates/{groupID}": {
   "get": {
    "parameters": [
     {
      "description": "",
      "in": "path",
      "name": "groupID",
      "required": true,
      "schema": {
       "type": "integer"
      }
     }
    ],
    "responses": {
     "200": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/DuplicateGroupDetail"
        }
       }
      },
      "description": "OK"
     },
     "400": {
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      },
      "description": "Problem (RFC 9457)"
     },
     "404": {
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      },
      "description": "Problem (RFC 9457)"
     }
    },
    "summary": "One duplicate group with its members"
   }
  },
  "/api/feedback/duplicates": {
   "post": {
    "requestBody": {
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/DuplicateFeedback"
       }
      }
     },
     "required": true
    },
    "responses": {
     "201": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/FeedbackReceipt"
        }
       }
      },
      "description": "Stored"
     },
     "400": {
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      },
      "description": "Problem (RFC 9457)"
     },
     "401": {
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      },
      "description": "Problem (RFC 9457)"
     },
     "403": {
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      },
      "description": "Problem (RFC 9457)"
     },
     "404": {
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      },
      "description": "Problem (RFC 9457)"
     }
    },
    "security": [
     {
      "bearer": []
     }
    ],
    "summary": "Confirm or reject a duplicate pair"
   }
  },
  "/api/feedback/duplicates/precision": {
   "get": {
    "parameters": [],
    "responses": {
     "200": {
      "content": {
       "application/json": {
        "schema": {
         "items": {
          "$ref": "#/components/schemas/ThresholdPrecision"
         },
         "type": "array"
        }
       }
      },
      "description": "OK"
     }
    },
    "summary": "Measured precision per algorithm and threshold"
   }
  },
  "/api/feedback/labels": {
   "post": {
    "requestBody": {
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/LabelFeedback"
       }
      }
     },
     "required": true
    },
    "responses": {
     "201": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/FeedbackReceipt"
        }
       }
      },
      "description": "Stored"
     },
     "400": {
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      },
      "description": "Problem (RFC 9457)"
     },
     "401": {
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      },
      "description": "Problem (RFC 9457)"
     },
     "403": {
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      },
      "description": "Problem (RFC 9457)"
     },
     "404": {
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      },
      "description": "Problem (RFC 9457)"
     }
    },
    "security": [
     {
      "bearer": []
     }
    ],
    "summary": "Accept or correct a label (becomes a label of origin curator)"
   }
  },
  "/api/feedback/similar": {
   "post": {
    "requestBody": {
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/SimilarFeedback"
       }
      }
     },
     "required": true
    },
    "responses": {
     "201": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/FeedbackReceipt"
        }
       }
      },
      "description": "Stored"
     },
     "400": {
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      },
      "description": "Problem (RFC 9457)"
     },
     "401": {
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      },
      "description": "Problem (RFC 9457)"
     },
     "403": {
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      },
      "description": "Problem (RFC 9457)"
     },
     "404": {
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      },
      "description": "Problem (RFC 9457)"
     }
    },
    "security": [
     {
      "bearer": []
     }
    ],
    "summary": "Mark a similar item relevant or not"
   }
  },
  "/api/items": {
   "get": {
    "parameters": [
     {
      "description": "label concept (category name)",
      "in": "query",
      "name": "concept",
      "required": false,
      "schema": {
       "type": "string"
      }
     },
     {
      "description": "label origin: ground_truth, crowd, prediction, curator",
      "in": "query",
      "name": "origin",
      "required": false,
      "schema": {
       "type": "string"
      }
     },
     {
      "description": "",
      "in": "query",
      "name": "minConfidence",
      "required": false,
      "schema": {
       "type": "number"
      }
     },
     {
      "description": "",
      "in": "query",
      "name": "maxConfidence",
      "required": false,
      "schema": {
       "type": "number"
      }
     },
     {
      "description": "rights URI",
      "in": "query",
      "name": "rights",
      "required": false,
      "schema": {
       "type": "string"
      }
     },
     {
      "description": "",
      "in": "query",
      "name": "provider",
      "required": false,
      "schema": {
       "type": "string"
      }
     },
     {
      "description": "",
      "in": "query",
      "name": "dataProvider",
      "required": false,
      "schema": {
       "type": "string"
      }
     },
     {
      "description": "CLUSTER (latest run) or RUNID:CLUSTER",
      "in": "query",
      "name": "cluster",
      "required": false,
      "schema": {
       "type": "string"
      }
     },
     {
      "description": "",
      "in": "query",
      "name": "duplicateGroup",
      "required": false,
      "schema": {
       "type": "integer"
      }
     },
     {
      "description": "quality flag, e.g. blank",
      "in": "query",
      "name": "quality",
      "required": false,
      "schema": {
       "type": "string"
      }
     },
     {
      "description": "400 when the store has no watermark scores",
      "in": "query",
      "name": "watermark",
      "required": false,
      "schema": {
       "type": "boolean"
      }
     },
     {
      "description": "Full-text query over title, creator, description (case and diacritics folded; words ANDed, \"a phrase\", OR). SQLite store: FTS5 syntax (also prefix*, NOT); PostgreSQL catalog: websearch_to_tsquery syntax (-word excludes)",
      "in": "query",
      "name": "q",
      "required": false,
      "schema": {
       "type": "string"
      }
     },
     {
      "description": "1..maxPageSize (default 50)",
      "in": "query",
      "name": "limit",
      "required": false,
      "schema": {
       "type": "integer"
      }
     },
     {
      "description": "nextCursor of the previous page",
      "in": "query",
      "name": "cursor",
      "required": false,
      "schema": {
       "type": "string"
      }
     }
    ],
    "responses": {
     "200": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/ItemPage"
        }
       }
      },
      "description": "OK"
     },
     "400": {
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      },
      "description": "Problem (RFC 9457)"
     }
    },
    "summary": "List items with filters and cursor pagination"
   }
  },
  "/api/items/{id}": {
   "get": {
    "parameters": [
     {
      "description": "",
      "in": "path",
      "name": "id",
      "required": true,
      "schema": {
       "type": "integer"
      }
     }
    ],
    "responses": {
     "200": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/ItemDetail"
        }
       }
      },
      "description": "OK"
     },
     "400": {
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      },
      "description": "Problem (RFC 9457)"
     },
     "404": {
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      },
      "description": "Problem (RFC 9457)"
     }
    },
    "summary": "One item with labels, predictions, detections, quality flags, duplicate group, cluster"
   }
  },
  "/api/items/{id}/similar": {
   "get": {
    "parameters": [
     {
      "description": "",
      "in": "path",
      "name": "id",
      "required": true,
      "schema": {
       "type": "integer"
      }
     },
     {
      "description": "1..100, default 10",
      "in": "query",
      "name": "k",
      "required": false,
      "schema": {
       "type": "integer"
      }
     }
    ],
    "responses": {
     "200": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/SimilarPage"
        }
       }
      },
      "description": "OK"
     },
     "400": {
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      },
      "description": "Problem (RFC 9457)"
     },
     "404": {
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      },
      "description": "Problem (RFC 9457)"
     },
     "409": {
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      },
      "description": "Problem (RFC 9457)"
     }
    },
    "summary": "Nearest items by embedding cosine"
   }
  },
  "/api/lookup": {
   "post": {
    "requestBody": {
     "content": {
      "application/octet-stream": {
       "schema": {
        "format": "binary",
        "type": "string"
       }
      },
      "image/*": {
       "schema": {
        "format": "binary",
        "type": "string"
       }
      }
     },
     "required": true
    },
    "responses": {
     "200": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/LookupAnswer"
        }
       }
      },
      "description": "OK"
     },
     "400": {
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      },
      "description": "Problem (RFC 9457)"
     },
     "413": {
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      },
      "description": "Problem (RFC 9457)"
     }
    },
    "summary": "Search by an uploaded image (body: image bytes, at most maxUploadBytes)"
   }
  },
  "/api/map": {
   "get": {
    "parameters": [],
    "responses": {
     "200": {
      "content": {
       "application/json": {
        "schema": {
         "items": {
          "$ref": "#/components/schemas/MapPoint"
         },
         "type": "array"
        }
       }
      },
      "description": "OK"
     }
    },
    "summary": "2-D map coordinates written by vitrine map"
   }
  },
  "/api/runs": {
   "get": {
    "parameters": [
     {
      "description": "run kind, e.g. classifier-evaluate",
      "in": "query",
      "name": "kind",
      "required": false,
      "schema": {
       "type": "string"
      }
     }
    ],
    "responses": {
     "200": {
      "content": {
       "application/json": {
        "schema": {
         "items": {
          "$ref": "#/components/schemas/Run"
         },
         "type": "array"
        }
       }
      },
      "description": "OK"
     }
    },
    "summary": "Stored runs (and evaluations), newest first"
   }
  },
  "/api/runs/{id}": {
   "get": {
    "parameters": [
     {
      "description": "",
      "in": "path",
      "name": "id",
      "required": true,
      "schema": {
       "type": "integer"
      }
     }
    ],
    "responses": {
     "200": {
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Run"
        }
       }
      },
      "description": "OK"
     },
     "400": {
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      },
      "description": "Problem (RFC 9457)"
     },
     "404": {
      "content": {
       "application/problem+json": {
        "schema": {
         "$ref": "#/components/schemas/Problem"
        }
       }
      },
      "description": "Problem (RFC 9457)"
     }
    },
    "summary": "One run"
   }
  },
  "/openapi.json": {
   "get": {
    "responses": {
     "200": {
      "content": {
       "application/json": {
        "schema": {
         "type": "object"
        }
       }
      },
      "description": "OpenAPI 3 document"
     }
    },
    "summary": "This document"
   }
  }
 }
}
"""#
}
